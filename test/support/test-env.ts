// `MONGODB_URI=… npm test` (the README's recipe) means "also run the MongoDB suites there", not
// "run every service on MongoDB": left in the environment, every test process and every service
// a test starts would inherit it, and the config refuses DATABASE_URL and MONGODB_URI together.

/** The variable only the MongoDB suites read (test/support/mongo.ts). */
export const TEST_MONGODB_URI = 'TEST_MONGODB_URI';

/**
 * Moves MONGODB_URI to TEST_MONGODB_URI in `env`, before any test process starts (the vitest
 * configs call it on process.env), so the PostgreSQL suites and the processes they start never see it.
 */
export function moveMongoUriAside(env: NodeJS.ProcessEnv): void {
  const uri = env.MONGODB_URI;
  if (uri === undefined) return;
  delete env.MONGODB_URI;
  if (uri !== '') env[TEST_MONGODB_URI] = uri;
}

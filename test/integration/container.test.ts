import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startServiceProcess } from '../support/service-process.ts';

// No container engine runs here: check what can be checked without one. The image's start
// command runs the compiled service, and every file the Dockerfile and compose.yaml name exists.
const root = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const compose = readFileSync(path.join(root, 'compose.yaml'), 'utf8');
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? 'null') as string[] | null;

describe('the container image', { timeout: 120_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'attendance-image-'));
    // The image's build step: compile to dist/ (and copy what the compiled code reads).
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  }, 120_000);
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('when the Dockerfile is read, then it builds in stages, runs as a user other than root, checks /healthz and starts node on compiled JavaScript', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(/^USER (\S+)$/m.exec(dockerfile)?.[1]).not.toMatch(/^(root|0)$/);
    expect(dockerfile).toMatch(/^HEALTHCHECK [^\n]*(?:\\\n[^\n]*)*\/healthz/m);
    expect(cmd).toEqual(['node', 'dist/src/cli/main.js', 'serve']);
  });

  it('when the Dockerfile and compose.yaml name files of the repository, then each exists', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    expect(copied.length).toBeGreaterThan(3);
    for (const file of copied) expect(existsSync(path.join(root, file)), file).toBe(true);
    // The runtime stage copies dist/ from the build stage; the build script makes it.
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.build).toContain('tsc');
    expect(compose).toMatch(/^ {2}build: \.$/m);
  });

  it('when compose.yaml is read, then it runs PostgreSQL, one web process and two workers, all started with the image command', () => {
    expect(compose).toMatch(/^ {2}postgres:\n {4}image: postgres:/m);
    const role = (name: string) => new RegExp(`^ {2}${name}:\\n(?: {4}.*\\n)*? {4}command: (\\[.*\\])$`, 'm').exec(compose)?.[1];
    expect(JSON.parse(role('web')!)).toEqual([...cmd!, '--role', 'web']);
    expect(JSON.parse(role('worker')!)).toEqual([...cmd!, '--role', 'worker']);
    expect(compose).toMatch(/^ {2}worker:\n(?: {4}.*\n| {6}.*\n)*? {6}replicas: 2$/m);
    expect(compose).toMatch(/DATABASE_URL: postgres:\/\/[^\n]*@postgres:5432\//);
  });

  it("when the image's start command runs with no database configured, then the compiled service answers /healthz on embedded PostgreSQL and stops on SIGTERM within 10 s", async () => {
    const [, ...args] = cmd!;
    const service = await startServiceProcess({ DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, 90_000, [process.execPath, ...args.map((arg, i) => (i === 0 ? path.join(root, arg) : arg))]);
    try {
      const health = await fetch(`${service.url}/healthz`);
      expect(await health.json()).toEqual({ status: 'ok', store: 'postgres', database: 'ok', agenda: 'running' });
      const signin = await fetch(`${service.url}/signin`);
      expect(signin.status).toBe(200);
      const css = /href="(\/assets\/[^"]+\.css)"/.exec(await signin.text())?.[1];
      expect((await fetch(`${service.url}${css}`)).status).toBe(200);
    } finally {
      const sent = Date.now();
      service.child.kill('SIGTERM');
      expect(await service.exited, service.output()).toBe(0);
      const took = Date.now() - sent;
      console.log(`compiled service stopped by SIGTERM in ${took} ms`);
      expect(took).toBeLessThan(10_000);
    }
    expect(existsSync(path.join(dataDir, 'pg', 'cluster', 'postmaster.pid'))).toBe(false);
  });
});

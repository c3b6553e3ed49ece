import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { moveMongoUriAside, TEST_MONGODB_URI } from '../../support/test-env.ts';
import { loadConfig, storeKind } from '../../../src/config.ts';

describe('MONGODB_URI given to npm test', () => {
  it('when MONGODB_URI is set, then it moves to the test-only variable and the PostgreSQL config no longer sees it', () => {
    const env: NodeJS.ProcessEnv = { MONGODB_URI: 'mongodb://db:27017/?replicaSet=rs0', PATH: '/usr/bin' };
    moveMongoUriAside(env);
    expect(env).toEqual({ [TEST_MONGODB_URI]: 'mongodb://db:27017/?replicaSet=rs0', PATH: '/usr/bin' });
    expect(storeKind(loadConfig({ ...env, DATABASE_URL: 'postgres://127.0.0.1:5432/t' }))).toBe('postgres');
  });

  it('when MONGODB_URI is not set, then nothing changes', () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    moveMongoUriAside(env);
    expect(env).toEqual({ PATH: '/usr/bin' });
  });

  it('when a test starts a child process, then the child inherits no MONGODB_URI (the config moved it before this process started)', () => {
    expect(process.env.MONGODB_URI).toBeUndefined();
    const child = spawnSync(process.execPath, ['-p', 'process.env.MONGODB_URI ?? "unset"'], { encoding: 'utf8' });
    expect(child.stdout.trim()).toBe('unset');
  });
});

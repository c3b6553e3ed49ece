import { describe, it, expect } from 'vitest';
import { loadConfig, storeKind } from '../../../src/config.ts';

describe('configuration', () => {
  it('when nothing is set, then the embedded defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', LOG_LEVEL: 'info', TZ: 'Europe/London', ROLE: 'all' });
    expect(storeKind(config)).toBe('embedded-postgres');
  });

  it('when DATABASE_URL or MONGODB_URI is set, then that store is selected', () => {
    expect(storeKind(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/x' }))).toBe('postgres');
    expect(storeKind(loadConfig({ MONGODB_URI: 'mongodb://db:27017/x?replicaSet=rs0' }))).toBe('mongo');
  });

  it('when a value is bad, then the error names each bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' })).toThrow(
      /PORT:.*\n.*DATABASE_URL: must start with postgres: or postgresql:\n.*LOG_LEVEL/s,
    );
  });

  it('when both databases are set, then start-up refuses to guess', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://a/b', MONGODB_URI: 'mongodb://c/d' })).toThrow(/DATABASE_URL: set DATABASE_URL or MONGODB_URI, not both/);
  });
});

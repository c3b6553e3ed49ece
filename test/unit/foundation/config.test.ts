import { describe, it, expect } from 'vitest';
import { loadConfig, storeKind } from '../../../src/config.ts';
import { oidcSettingsFrom } from '../../../src/http/auth/auth-config.ts';

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

  it('when retention periods are unset, then the documented defaults apply; set, they override; zero or a fraction is refused', () => {
    expect(loadConfig({})).toMatchObject({ RETAIN_CLOSED_CASES_YEARS: 6, RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH: 25, RETAIN_LETTERS_YEARS: 3, RETAIN_AUDIT_YEARS: 6 });
    expect(loadConfig({ RETAIN_AUDIT_YEARS: '10' }).RETAIN_AUDIT_YEARS).toBe(10);
    expect(() => loadConfig({ RETAIN_LETTERS_YEARS: '0', RETAIN_CLOSED_CASES_YEARS: '2.5' })).toThrow(/RETAIN_CLOSED_CASES_YEARS:.*\n.*RETAIN_LETTERS_YEARS/s);
  });

  it('when both databases are set, then start-up refuses to guess', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://a/b', MONGODB_URI: 'mongodb://c/d' })).toThrow(/DATABASE_URL: set DATABASE_URL or MONGODB_URI, not both/);
  });

  it('when only some single sign-on variables are set, then start-up names each missing one, and with all four the settings are read', () => {
    const oidc = {
      OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
      OIDC_CLIENT_ID: 'attendance',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_REDIRECT_URI: 'https://attendance.school.example/api/auth/oidc/callback',
    };
    const { OIDC_CLIENT_SECRET: _secret, OIDC_REDIRECT_URI: _redirect, ...partial } = oidc;
    expect(() => loadConfig(partial)).toThrow(
      /^invalid configuration:\n {2}OIDC_CLIENT_SECRET: not set: single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI together\n {2}OIDC_REDIRECT_URI: not set: [^\n]+$/,
    );
    expect(() => loadConfig({ ...oidc, OIDC_REDIRECT_URI: 'https://attendance.school.example/' })).toThrow(/OIDC_REDIRECT_URI: must be this service's \/api\/auth\/oidc\/callback/);
    expect(oidcSettingsFrom(loadConfig({}))).toBeNull();
    expect(oidcSettingsFrom(loadConfig({ ...oidc, OIDC_LABEL: 'Sign in with Microsoft' }))).toEqual({
      issuer: oidc.OIDC_ISSUER,
      clientId: 'attendance',
      clientSecret: 'secret',
      redirectUri: oidc.OIDC_REDIRECT_URI,
      label: 'Sign in with Microsoft',
    });
  });

  it('when TRUST_PROXY is set, then it becomes a hop count or a list of proxies, and "true" or a bad address is refused', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: .*would believe any client/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY: '10.0.0.0\/40' is not/);
  });
});

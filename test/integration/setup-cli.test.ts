// A trust set up from a shell: `attendance admin create`, `trust` and `school`, the real CLI in child processes.
import { describe, it, expect, beforeAll } from 'vitest';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runCli } from '../support/run-cli.ts';

// Each command is a Node process starting tsx: seconds each on a busy machine.
describe('setting up from the command line', { timeout: 120_000 }, () => {
  let url: string;
  const cli = (...args: string[]) => runCli(args, { DATABASE_URL: url });
  const withStore = async <T>(read: (store: Awaited<ReturnType<typeof openPostgres>>['store']) => Promise<T>) => {
    const opened = await openPostgres(url);
    try {
      return await read(opened.store);
    } finally {
      await opened.close();
    }
  };
  beforeAll(async () => {
    url = await freshDatabaseUrl();
  });

  it('when admin create names a person on an empty store, then it prints a setup link for them', async () => {
    const bad = await cli('admin', 'create', '--email', 'not-an-email', '--name', 'Pat Head');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--email: not an email address');
    const run = await cli('admin', 'create', '--email', 'pat.head@riverside.example.org', '--name', 'Pat Head');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Send this one-time link to Pat Head <pat.head@riverside.example.org>[\s\S]*\/setup\/[A-Za-z0-9_-]{43}\n/);
    expect(await withStore((store) => store.getSetting('first-run-setup'))).toMatchObject({ email: 'pat.head@riverside.example.org', name: 'Pat Head' });
  });

  it('when a trust and its school are added, edited and archived by command, then the store holds them and the audit log names the operator', async () => {
    const trust = await cli('trust', 'add', '--name', 'Riverside Learning Trust', '--actor', 'cli:sbm');
    expect(trust.stdout).toContain('added: Riverside Learning Trust (id riverside-learning-trust)');
    const school = await cli(
      'school', 'add', '--trust', 'riverside-learning-trust', '--name', 'Riverside Primary', '--phase', 'primary', '--la', 'West Berkshire',
      '--workflow', 'francis-baily', '--urn', '123456', '--dfe', '869/2001', '--office', 'office@riverside.example.org', '--actor', 'cli:sbm',
    );
    expect(school.code).toBe(0);
    expect(school.stdout).toContain('added: Riverside Primary (id riverside-primary)');
    expect(school.stdout).toContain('URN 123456, DfE number 869/2001, primary');
    expect(school.stdout).toContain('NOTE: The policy refers cases to the EWO, and there is no EWO or local authority address');

    const wrong = await cli('school', 'edit', 'riverside-primary', '--urn', '12', '--ewo', 'ewo at council');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('urn: a URN is 6 digits');
    expect(wrong.stderr).toContain('mailboxes.ewo: the EWO address is not an email address');

    const edited = await cli('school', 'edit', 'riverside-primary', '--ewo', 'ews@westberks.example.org', '--la-mailbox', 'eas@westberks.example.org', '--urn', '');
    expect(edited.code).toBe(0);
    expect(await withStore((store) => store.getSchool('riverside-primary'))).toMatchObject({
      urn: null,
      laEstab: '8692001',
      localAuthority: 'west-berkshire',
      notifyEmails: { office: 'office@riverside.example.org', ewo: 'ews@westberks.example.org', la: 'eas@westberks.example.org' },
    });
    expect((await cli('school', 'archive', 'riverside-primary')).stdout).toContain('archived: Riverside Primary');
    expect((await cli('school', 'list')).stdout).toMatch(/riverside-primary\s+Riverside Primary \(archived\)/);
    const actions = await withStore(async (store) => (await store.listAudit({ actor: 'cli:sbm', limit: 10, offset: 0 })).entries.map((e) => e.action));
    expect(actions).toEqual(expect.arrayContaining(['organisation.trust.created', 'organisation.school.created']));
  });
});

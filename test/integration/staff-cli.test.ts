// `attendance staff …` as a school business manager runs it: the real CLI in a child process,
// sending its emails to a real SMTP server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runCli } from '../support/run-cli.ts';
import { startSmtp } from '../support/smtp.ts';

describe('the staff CLI', () => {
  let url: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const cli = (...args: string[]) => runCli(['staff', ...args], { DATABASE_URL: url, SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: 'false', PUBLIC_URL: 'https://attendance.example.org' } as never);

  beforeAll(async () => {
    smtp = await startSmtp();
    url = await freshDatabaseUrl();
    const { store, close } = await openPostgres(url);
    await store.upsertTrust({ id: 't', name: 'Oak Trust' });
    await store.upsertTrust({ id: 'u', name: 'Elm Trust' });
    await store.upsertSchool({ id: 'oak', trustId: 't', name: 'Oak Academy', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await store.upsertSchool({ id: 'elm', trustId: 'u', name: 'Elm Academy', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await close();
  });
  afterAll(async () => smtp?.close());

  it('when the operator invites a trust administrator who invites a champion, then each gets an email with a link, and the trust administrator is held to their trust', async () => {
    const first = await cli('invite', '--name', 'Bea Business', '--email', 'bea@oak.example', '--role', 'trustAdmin', '--trust', 't');
    expect(first.stderr).not.toContain('Error');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Bea Business <bea@oak.example> is a trust administrator: a link to choose a password was emailed');
    const mail = smtp.received.find((m) => m.to.includes('bea@oak.example'))!;
    expect(mail.mail.text).toMatch(/https:\/\/attendance\.example\.org\/set-password\/[A-Za-z0-9_-]{43}/);

    expect((await cli('invite', '--as', 'bea@oak.example', '--name', 'Cal', '--email', 'cal@oak.example', '--role', 'champion', '--school', 'oak')).code).toBe(0);
    const refused = await cli('invite', '--as', 'bea@oak.example', '--name', 'Eli', '--email', 'eli@elm.example', '--role', 'champion', '--school', 'elm');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("no school 'elm'");
    expect((await cli('invite', '--as', 'bea@oak.example', '--name', 'Ad', '--email', 'ad@oak.example', '--role', 'admin')).stderr).toContain("only an administrator manages this role's accounts (Administrator)");

    const list = await cli('list', '--as', 'bea@oak.example');
    expect(list.stdout).toContain('Cal <cal@oak.example>  Senior attendance champion  Oak Academy  not yet signed up  invited');
    const promoted = await cli('change', '--as', 'bea@oak.example', '--email', 'cal@oak.example', '--role', 'trustLead', '--trust', 't');
    expect(promoted.stdout).toContain('Cal <cal@oak.example> is now a trust lead (t)');
    expect((await cli('change', '--as', 'bea@oak.example', '--email', 'cal@oak.example', '--role', 'trustLead', '--trust', 'u')).code).toBe(1);
    expect((await cli('deactivate', '--email', 'cal@oak.example')).stdout).toContain('cal@oak.example is deactivated and signed out');
    expect((await cli('reset', '--email', 'cal@oak.example')).stderr).toContain('this account is deactivated');
    expect((await cli('bogus')).code).toBe(2);
  }, 120_000);
});

// `attendance purge register` as an operator runs it: the real CLI in a child process, on its own database.
import { describe, it, expect } from 'vitest';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { addDays } from '../../src/domain/dates.ts';
import { londonDate } from '../../src/domain/london-time.ts';
import { yearsBefore } from '../../src/cli/commands/purge.ts';
import type { Session } from '../../src/domain/types.ts';
import { runCli, type CliRun } from '../support/run-cli.ts';

const SCHOOL = 'purge-school';
const UPN = 'P331400112001';

const today = londonDate(new Date());
/** Six years before today: the earliest register entry a school must still keep. */
const keepFrom = `${Number(today.slice(0, 4)) - 6}${today.slice(4)}`.replace(/-02-29$/, '-02-28');
const DATES = { old: addDays(keepFrom, -400), lastToGo: addDays(keepFrom, -1), firstKept: keepFrom, recent: addDays(today, -30) };

/** A fresh database with one pupil's marks either side of the retention line, and an amendment on each side. */
async function seeded(): Promise<string> {
  const url = await freshDatabaseUrl();
  const { store, close } = await openPostgres(url);
  try {
    await store.upsertTrust({ id: 'purge-trust', name: 'Purge Trust' });
    await store.upsertSchool({ id: SCHOOL, trustId: 'purge-trust', name: 'Purge School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await store.upsertPupils(SCHOOL, [{ upn: UPN, forename: 'Sam', surname: 'Oak', dateOfBirth: '2012-03-04', yearGroup: '8', vulnerability: [], onRoll: true }]);
    const write = async (rows: [string, Session, string][]) => {
      const staged = await store.beginMarksImport(SCHOOL, { actor: 'system:test', reason: 'test', at: new Date() });
      await staged.add(rows.map(([date, session, code], i) => ({ upn: UPN, date, session, code, line: i + 2 })));
      await staged.commit();
    };
    await write([
      [DATES.old, 'AM', '/'],
      [DATES.old, 'PM', '/'],
      [DATES.lastToGo, 'AM', '/'],
      [DATES.firstKept, 'AM', '/'],
      [DATES.recent, 'AM', '/'],
    ]);
    await write([
      [DATES.old, 'AM', 'O'],
      [DATES.recent, 'AM', 'O'],
    ]);
  } finally {
    await close();
  }
  return url;
}

function purge(url: string, ...args: string[]): Promise<CliRun> {
  return runCli(['purge', ...args], { DATABASE_URL: url });
}

async function register(url: string) {
  const { store, close } = await openPostgres(url);
  try {
    return {
      marks: (await store.listMarks(SCHOOL, UPN)).map((m) => `${m.date} ${m.session}`),
      amendments: (await store.listAmendments(SCHOOL, UPN)).map((a) => `${a.date} ${a.session}`),
    };
  } finally {
    await close();
  }
}

const EVERYTHING = {
  marks: [`${DATES.old} AM`, `${DATES.old} PM`, `${DATES.lastToGo} AM`, `${DATES.firstKept} AM`, `${DATES.recent} AM`],
  amendments: [`${DATES.old} AM`, `${DATES.recent} AM`],
};

describe('attendance purge register', () => {
  it('when run with no date, then entries older than six years go, the six-year day and later stay, and it says what it removed', async () => {
    const url = await seeded();
    const result = await purge(url, 'register');
    expect(result.stderr).toBe(`store: ${url.replace(/:[^:@/]+@/, ':***@')}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`removed 3 marks and 1 amendment dated before ${keepFrom}`);
    expect(await register(url)).toEqual({ marks: [`${DATES.firstKept} AM`, `${DATES.recent} AM`], amendments: [`${DATES.recent} AM`] });
    const audit = await sql<{ actor: string; detail: unknown }>(url, `SELECT actor, detail FROM audit_log WHERE action = 'register.purge'`);
    expect(audit).toEqual([{ actor: 'cli:purge', detail: { before: keepFrom, forced: false, marks: 3, amendments: 1 } }]);
  });

  it('when run with --dry-run, then it counts what would go and deletes nothing', async () => {
    const url = await seeded();
    const result = await purge(url, 'register', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`dry run: would remove 3 marks and 1 amendment dated before ${keepFrom}; nothing was deleted`);
    expect(await register(url)).toEqual(EVERYTHING);
  });

  it('when the date is less than six years ago, then it is refused without --force, and with --force the entries before it go', async () => {
    const url = await seeded();
    const refused = await purge(url, 'register', '--before', today);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the latest date is ${keepFrom}`);
    expect(await register(url)).toEqual(EVERYTHING);

    const forced = await purge(url, 'register', '--before', today, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout.trim()).toBe(`removed 5 marks and 2 amendments dated before ${today}`);
    expect(await register(url)).toEqual({ marks: [], amendments: [] });
  });

  it('when --before is not a real date, then it stops with usage and deletes nothing', async () => {
    const url = await seeded();
    const result = await purge(url, 'register', '--before', `${keepFrom.slice(0, 4)}-02-30`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a date: use YYYY-MM-DD');
    expect(await register(url)).toEqual(EVERYTHING);
  });

  it('when six years back from 29 February is not a date, then the retention line is 28 February, keeping a day more', () => {
    expect(yearsBefore('2028-02-29', 6)).toBe('2022-02-28');
    expect(yearsBefore('2025-11-23', 6)).toBe('2019-11-23');
  });
});

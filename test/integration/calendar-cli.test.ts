// `attendance calendar show|import|add|remove` as a school business manager runs it: the real CLI in a child process.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runCli } from '../support/run-cli.ts';

describe('the calendar CLI', () => {
  let url: string;
  let dir: string;
  const cli = (...args: string[]) => runCli(['calendar', ...args], { DATABASE_URL: url });
  const stored = async () => {
    const { store, close } = await openPostgres(url);
    try {
      return { calendar: await store.getSchoolCalendar('rutland'), audit: (await store.listAudit({ limit: 10, offset: 0 })).entries };
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    dir = await mkdtemp(path.join(tmpdir(), 'calendar-cli-'));
    const { store, close } = await openPostgres(url);
    await store.upsertTrust({ id: 't', name: 'Trust' });
    await store.upsertSchool({ id: 'rutland', trustId: 't', name: 'Rutland Academy', workflowId: 'west-coventry', localAuthority: 'Rutland' });
    await close();
  });

  it('when the school’s LA has no term dates, then show says so, and an INSET day is refused until terms are imported', async () => {
    const show = await cli('show', '--school', 'rutland');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('term dates: none held for this local authority; the school enters its own');
    const early = await cli('add', '--school', 'rutland', '--date', '2025-09-02', '--kind', 'inset', '--description', 'Training day');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('there are no term dates');
    expect((await stored()).calendar.revision).toBe(0);
  });

  it('when a CSV of terms is imported, then --dry-run prints what would change and saves nothing; without it the terms are saved and audited', async () => {
    const file = path.join(dir, 'terms.csv');
    await writeFile(file, 'date,end_date,kind,description\n2025-09-01,2025-12-19,term,Autumn term\n2025-10-27,2025-10-31,holiday,Half term\n05/01/2026,27/03/2026,term,Spring term\n');
    const dry = await cli('import', '--school', 'rutland', file, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('added (3):');
    expect(dry.stdout).toContain('2025-10-27 to 2025-10-31  Holiday       Half term');
    expect(dry.stdout).toContain('nothing saved');
    expect((await stored()).calendar.revision).toBe(0);
    const saved = await cli('import', '--school', 'rutland', file);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain('saved (revision 1)');
    const { calendar, audit } = await stored();
    expect(calendar.entries.map((e) => e.kind)).toEqual(['term', 'holiday', 'term']);
    expect(audit[0]).toMatchObject({ action: 'school.calendar.import', schoolId: 'rutland', detail: { format: 'csv', added: 3 } });
  });

  it('when an INSET day is added in term, then show lists it and each term’s school days; a bad date or kind is refused with the option named', async () => {
    const added = await cli('add', '--school', 'rutland', '--date', '2025-09-01', '--kind', 'inset', '--description', 'Training day');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added:  2025-09-01');
    const show = await cli('show', '--school', 'rutland');
    expect(show.stdout).toContain('school year 2025-26');
    expect(show.stdout).toMatch(/Autumn term\s+2025-09-01 to 2025-12-19\s+74 school days\s+\(the school\)/);
    expect(show.stdout).toContain('2025-09-01                INSET day     Training day');
    const bad = await cli('add', '--school', 'rutland', '--date', '1/9/25', '--kind', 'party');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind: expected one of: term, inset, closure, holiday, bank-holiday');
    expect(bad.stderr).toContain('--date: expected a date as YYYY-MM-DD');
    const removed = await cli('remove', '--school', 'rutland', '--date', '2025-09-01', '--kind', 'inset');
    expect(removed.code).toBe(0);
    expect((await stored()).calendar.entries.filter((e) => e.kind === 'inset')).toEqual([]);
    expect((await cli('show', '--school', 'nowhere')).stderr).toContain("no school 'nowhere'");
  });
});

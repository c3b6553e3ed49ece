// The README's trust set-up as a shell script through the CLI alone (docs/example-trust/setup.sh),
// run for real against a fresh database: every command, then what the store holds.
import { describe, it, expect } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { runProcess } from '../support/run-cli.ts';

// Fourteen commands, each a Node process starting tsx: a minute or more on a busy machine.
describe('setting up a trust from a shell script', { timeout: 300_000 }, () => {
  it('when the example script runs on an empty store, then the trust, its schools, INSET days, staff and register are there and the evaluation opened the cases', async () => {
    const url = await freshDatabaseUrl();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'setup-script-'));
    const run = await runProcess('sh', ['docs/example-trust/setup.sh'], { DATABASE_URL: url, DATA_DIR: dataDir, ATTENDANCE: `${process.execPath} --import tsx src/cli/main.ts` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\/setup\/[A-Za-z0-9_-]{43}/);
    const { store, close } = await openPostgres(url);
    try {
      expect((await store.listSchools({ trustId: 'riverside-learning-trust' })).map((s) => [s.id, s.workflowId, s.localAuthority])).toEqual([
        ['meadow-primary', 'kennet', 'west-berkshire'],
        ['riverside-academy', 'west-coventry', 'coventry'],
      ]);
      expect((await store.getSchoolCalendar('riverside-academy')).entries).toEqual([expect.objectContaining({ kind: 'inset', start: '2026-01-05' })]);
      expect((await store.listUsers({ schoolId: 'riverside-academy' })).map((u) => [u.email, u.role])).toEqual([
        ['chris.patel@riverside.example.org', 'champion'],
        ['priya.shah@riverside.example.org', 'pastoral'],
      ]);
      expect(await store.listPupils('riverside-academy')).toHaveLength(4);
      const { cases } = await store.listCases({ schoolIds: ['riverside-academy'], limit: 10 });
      expect(cases.map((c) => c.upn).sort()).toEqual(['A331400125003', 'A331400125004']);
    } finally {
      await close();
    }
  });
});

// `attendance policy …` as an operator runs it for a school: the real CLI in a child process.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshDatabaseUrl } from '../support/postgres.ts';
import { openPostgres } from '../../src/store/postgres/open.ts';
import { createCaseService } from '../../src/cases/case-service.ts';
import { policyVersionOf } from '../../src/cases/case-machines.ts';
import { createLogger } from '../../src/logger.ts';
import { runCli } from '../support/run-cli.ts';

describe('the policy CLI', () => {
  let url: string;
  let dir: string;
  let caseId: string;
  const cli = (...args: string[]) => runCli(['policy', ...args], { DATABASE_URL: url });
  const withStore = async <T>(work: (store: Awaited<ReturnType<typeof openPostgres>>['store']) => Promise<T>) => {
    const { store, close } = await openPostgres(url);
    try {
      return await work(store);
    } finally {
      await close();
    }
  };

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    dir = await mkdtemp(path.join(tmpdir(), 'policy-cli-'));
    await withStore(async (store) => {
      await store.upsertTrust({ id: 't', name: 'Trust' });
      await store.upsertSchool({ id: 'oak', trustId: 't', name: 'Oak Academy', workflowId: 'west-coventry', localAuthority: 'Wolverhampton' });
      await store.upsertPupils('oak', [{ upn: 'A331400112201', forename: 'Sam', surname: 'Lee', dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true }]);
      const cases = createCaseService({ store, clock: { now: () => new Date('2025-10-06T18:00:00Z') }, logger: createLogger('silent') });
      caseId = (await cases.open('oak', 'A331400112201', { type: 'OPEN', at: '2025-10-06', evidence: { rule: 'test', attendancePct: 91 } }, 'system:test')).case.id;
    });
  }, 120_000);

  it('when a file reaching for a statutory rule is imported, then it is refused naming the rule; a good one is saved, published, and the open case moved only with --apply', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'base: west-coventry\noverrides:\n  prosecution:\n    timeLimitMonths: 12\n');
    const refused = await cli('import', '--school', 'oak', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a prosecution must be laid within six months of the offence');

    const good = path.join(dir, 'policy.yaml');
    await writeFile(good, 'base: west-coventry\noverrides:\n  targetPct: 96\n  noticeToImprove:\n    improvementPeriod: { amount: 15, unit: schoolDays }\n');
    expect((await cli('import', '--school', 'oak', good)).stdout).toContain('saved as the draft (revision 1)');
    expect((await cli('export', '--school', 'oak', '--format', 'json')).stdout).toContain('"targetPct": 96');
    expect((await cli('publish', '--school', 'oak', '--note', '96%')).stdout).toContain('published version 2');
    const show = await cli('show', '--school', 'oak');
    expect(show.stdout).toContain('new cases open on version 2');

    const preview = await cli('migrate', '--school', 'oak', '--from', '1', '--to', '2', '--map', 'open.stage1a=open.stage1b');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('open.stage1a (1 open) -> open.stage1b');
    expect(preview.stdout).toContain('a preview: nothing moved');
    expect(await withStore(async (store) => policyVersionOf((await store.getCase(caseId))!))).toBe(1);
    const applied = await cli('migrate', '--school', 'oak', '--from', '1', '--to', '2', '--map', 'open.stage1a=open.stage1b', '--apply');
    expect(applied.stdout).toContain(`moved ${caseId}: open.stage1a -> open.stage1b`);
    const record = await withStore(async (store) => (await store.getCase(caseId))!);
    expect([record.state, policyVersionOf(record)]).toEqual(['open.stage1b', 2]);
  }, 180_000);
});

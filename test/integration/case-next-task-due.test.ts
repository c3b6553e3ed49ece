import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { freshDatabaseUrl, sql } from '../support/postgres.ts';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres/open.ts';

// Each case keeps the due date of its earliest open task (the work queue's "overdue first"),
// refreshed once per statement on tasks (migration 022). Whatever a statement does, the column
// must equal what the tasks say.
const SCHOOL = 'due-school';

describe("a case's earliest open task, kept by the tasks' statement triggers", () => {
  let db: OpenedPostgres;
  let url: string;
  const cases: string[] = [];
  const drift = () =>
    sql<{ id: string; kept: string | null; actual: string | null }>(
      url,
      `SELECT c.id, c.next_task_due::text AS kept, (SELECT min(t.due_date) FROM tasks t WHERE t.case_id = c.id AND t.status = 'open')::text AS actual
         FROM cases c WHERE c.next_task_due IS DISTINCT FROM (SELECT min(t.due_date) FROM tasks t WHERE t.case_id = c.id AND t.status = 'open')`,
    );
  const dueOf = async (caseId: string) => (await sql<{ d: string | null }>(url, 'SELECT next_task_due::text AS d FROM cases WHERE id = $1', [caseId]))[0]!.d;

  beforeAll(async () => {
    url = await freshDatabaseUrl();
    db = await openPostgres(url);
    await db.store.upsertTrust({ id: 'trust', name: 'Trust' });
    await db.store.upsertSchool({ id: SCHOOL, trustId: 'trust', name: 'Due School', workflowId: 'west-coventry', localAuthority: 'coventry' });
    await db.store.upsertPupils(SCHOOL, ['P1', 'P2', 'P3', 'P4'].map((upn) => ({ upn, forename: 'Pat', surname: upn, dateOfBirth: '2012-01-01', yearGroup: '8', vulnerability: [], onRoll: true })));
    const at = new Date('2026-07-13T18:00:00Z');
    const created = ['P1', 'P2', 'P3', 'P4'].map((upn) => ({
      record: { id: randomUUID(), schoolId: SCHOOL, upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open' as const, snapshot: {}, openedAt: at },
      timeline: [],
      effects: [],
    }));
    cases.push(...created.map((c) => c.record.id));
    // Cases and several tasks each in one batch, as the evaluation writes them: one insert statement.
    const tasks = cases.flatMap((caseId, i) =>
      ['2026-07-20', '2026-07-15', '2026-07-27'].slice(0, i + 1).map((dueDate, j) => ({ id: `t:${caseId}:${j}`, caseId, schoolId: SCHOOL, kind: 'k', title: 'T', dueDate, createdAt: at })),
    );
    await db.store.writeCaseBatch({ created, tasks: [...tasks, { id: 'no-case', caseId: null, schoolId: SCHOOL, kind: 'k', title: 'T', dueDate: '2026-07-14', createdAt: at }] });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when a batch inserts several tasks a case, then each case keeps its earliest', async () => {
    expect(await dueOf(cases[0]!)).toBe('2026-07-20');
    expect(await dueOf(cases[1]!)).toBe('2026-07-15');
    expect(await dueOf(cases[3]!)).toBe('2026-07-15');
    expect(await drift()).toEqual([]);
  });

  it('when tasks are done, moved to another date or another case, or deleted, then the cases they left and joined follow', async () => {
    await sql(url, `UPDATE tasks SET status = 'done' WHERE id = $1`, [`t:${cases[1]}:1`]);
    expect(await dueOf(cases[1]!)).toBe('2026-07-20');
    await sql(url, `UPDATE tasks SET due_date = '2026-07-16' WHERE case_id = ANY($1)`, [[cases[2], cases[3]]]);
    expect(await dueOf(cases[2]!)).toBe('2026-07-16');
    await sql(url, 'UPDATE tasks SET case_id = $1 WHERE id = $2', [cases[3], `t:${cases[0]}:0`]);
    expect(await dueOf(cases[0]!)).toBeNull();
    await sql(url, `UPDATE tasks SET title = 'renamed'`);
    await sql(url, 'DELETE FROM tasks WHERE case_id = $1', [cases[3]]);
    expect(await dueOf(cases[3]!)).toBeNull();
    await sql(url, `UPDATE tasks SET status = 'open'`);
    expect(await drift()).toEqual([]);
  });
});

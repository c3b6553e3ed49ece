import { inTransaction } from './pool.ts';
import { toCase, toQueueLine, toTimeline, toTimer, type CaseRow, type QueueRow, type TimelineRow, type TimerRow } from './rows.ts';
import { type CaseBatch, type CaseFilter, type NewCaseWrite, type CaseTimer, type NewCase, type NewEffect, type NewTimelineEntry, type NewTask, type TransitionCommit } from '../types.ts';
import { insertTimeline, insertEffects, cancelUnsent, closeTasks, removeTimers, setTimers, insertCases, updateCases, insertTasks } from './case-writes.ts';
import { caseListQuery, knownTotal, QUEUE_TOTAL_CACHE_MS, plainTotalKey } from './case-queries.ts';
import { PgBase } from './base.ts';

/** Cases, their timelines and timers, written a batch at a time and read as the work queue shows them. */
export abstract class PgCases extends PgBase {
  async createCase(
    record: NewCase,
    initial: { timeline: NewTimelineEntry[]; effects: NewEffect[]; timers?: Omit<CaseTimer, 'caseId'>[] },
  ) {
    return (await this.writeCaseBatch({ created: [{ record, ...initial }] })).cases[0]!;
  }

  async writeCaseBatch(batch: CaseBatch) {
    const created = batch.created ?? [];
    const commits = batch.commits ?? [];
    // Before, and again after: a total counted while the write was in flight may predate it.
    this.queueTotals.clear();
    try {
      return await this.writeCases(created, commits, batch.tasks ?? []);
    } finally {
      this.queueTotals.clear();
    }
  }

  private writeCases(created: NewCaseWrite[], commits: TransitionCommit[], tasks: NewTask[]) {
    return inTransaction(this.pool, async (client) => {
      const inserted = await insertCases(client, created);
      const updated = await updateCases(client, commits);
      const byId = new Map([...inserted, ...updated].map((row) => [row.id, row]));
      // Every row of a case is written with the case's school, as the case row has it.
      const keyOf = (caseId: string) => ({ schoolId: byId.get(caseId)!.school_id, caseId });
      await insertTimeline(client, [
        ...created.flatMap((c) => c.timeline.map((entry) => ({ ...keyOf(c.record.id), entry }))),
        ...commits.flatMap((c) => c.timeline.map((entry) => ({ ...keyOf(c.caseId), entry }))),
      ]);
      for (const commit of commits) {
        if (commit.cancelUnsent) await cancelUnsent(client, keyOf(commit.caseId), commit.cancelUnsent, commit.at);
        if (commit.closeTasks) await closeTasks(client, keyOf(commit.caseId), commit.closeTasks, commit.at);
      }
      await insertEffects(client, [
        ...created.flatMap((c) => c.effects.map((effect) => ({ ...keyOf(c.record.id), effect, at: c.record.openedAt }))),
        ...commits.flatMap((c) => c.effects.map((effect) => ({ ...keyOf(c.caseId), effect, at: c.at }))),
      ]);
      await removeTimers(client, commits.flatMap((c) => (c.timers?.remove ?? []).map((name) => ({ ...keyOf(c.caseId), name }))));
      await setTimers(client, [
        ...created.flatMap((c) => (c.timers ?? []).map((timer) => ({ ...timer, ...keyOf(c.record.id) }))),
        ...commits.flatMap((c) => (c.timers?.set ?? []).map((timer) => ({ ...timer, ...keyOf(c.caseId) }))),
      ]);
      const tasksCreated = await insertTasks(client, tasks);
      const cases = [...created.map((c) => c.record.id), ...commits.map((c) => c.caseId)].map((id) => toCase(byId.get(id)!));
      return { cases, tasksCreated };
    });
  }

  async getCase(id: string) {
    const row = (await this.pool.query<CaseRow>('SELECT * FROM cases WHERE id = $1', [id])).rows[0];
    return row ? toCase(row) : null;
  }

  async findOpenCase(schoolId: string, upn: string) {
    const row = (
      await this.pool.query<CaseRow>("SELECT * FROM cases WHERE school_id = $1 AND upn = $2 AND status = 'open'", [schoolId, upn])
    ).rows[0];
    return row ? toCase(row) : null;
  }

  async listCases(filter: CaseFilter) {
    const query = caseListQuery(filter);
    const rows = (await this.pool.query<CaseRow>(query.page, query.params)).rows;
    const total = knownTotal(query, rows.length) ?? (await this.pool.query<{ n: number }>(query.count, query.countParams)).rows[0]!.n;
    return { total, cases: rows.map(toCase) };
  }

  async listQueue(filter: CaseFilter) {
    const query = caseListQuery(filter);
    const key = plainTotalKey(filter);
    const kept = key === null ? undefined : this.queueTotals.get(key);
    const cached = kept && performance.now() - kept.at < QUEUE_TOTAL_CACHE_MS ? kept.n : null;
    // The count rides with the page, and runs only when the page is full (CASE evaluates the
    // subquery only in the branch taken); an empty page brings no row to carry it. The pupils are
    // looked up by key, a page's 25 of them (LIMIT 1 keeps the subquery from being made a join
    // again: as one, PostgreSQL hashed the whole pupils table for every page).
    const rows = (
      await this.pool.query<QueueRow>(
        `WITH page AS MATERIALIZED (${query.page})
         SELECT c.id, c.school_id, c.upn, c.state, c.status, c.version, c.updated_at, c.snapshot->'context'->>'stage' AS stage,
                p.forename, p.surname, t.id AS task_id, t.title AS task_title, t.due_date AS task_due_date, t.assignee AS task_assignee,
                a.user_id AS assigned_to,
                CASE WHEN (SELECT count(*) FROM page) < ${query.limitArg} THEN NULL ELSE ${cached === null ? `(${query.count})` : 'NULL'} END AS total
           FROM page c
           LEFT JOIN LATERAL (SELECT p.forename, p.surname FROM pupils p WHERE p.school_id = c.school_id AND p.upn = c.upn LIMIT 1) p ON true
           LEFT JOIN case_assignments a ON a.case_id = c.id
           LEFT JOIN LATERAL (SELECT t.id, t.title, t.due_date, t.assignee FROM tasks t WHERE t.case_id = c.id AND t.status = 'open'
                               ORDER BY t.due_date, t.created_at, t.id LIMIT 1) t ON true
          ${query.order}`,
        query.params,
      )
    ).rows;
    const total =
      knownTotal(query, rows.length) ?? cached ?? rows[0]?.total ?? (await this.pool.query<{ n: number }>(query.count, query.countParams)).rows[0]!.n;
    if (key !== null) this.queueTotals.set(key, { n: total, at: cached === null ? performance.now() : kept!.at });
    return { total, lines: rows.map(toQueueLine) };
  }

  async commitTransition(commit: TransitionCommit) {
    return (await this.writeCaseBatch({ commits: [commit] })).cases[0]!;
  }

  async appendTimeline(schoolId: string, caseId: string, entries: NewTimelineEntry[]) {
    await insertTimeline(this.pool, entries.map((entry) => ({ schoolId, caseId, entry })));
  }

  // The readers by case id alone find the case's school through the case (its primary key), then
  // read the case's rows by (school_id, case_id): one statement, co-located on Citus.
  async listTimeline(caseId: string) {
    return (
      await this.pool.query<TimelineRow>(
        'SELECT t.* FROM cases c JOIN case_timeline t ON t.school_id = c.school_id AND t.case_id = c.id WHERE c.id = $1 ORDER BY t.seq',
        [caseId],
      )
    ).rows.map(toTimeline);
  }

  async getTimer(caseId: string, name: string) {
    const row = (
      await this.pool.query<TimerRow>(
        'SELECT t.* FROM cases c JOIN case_timers t ON t.school_id = c.school_id AND t.case_id = c.id WHERE c.id = $1 AND t.name = $2',
        [caseId, name],
      )
    ).rows[0];
    return row ? toTimer(row) : null;
  }

  async listTimers(caseId: string) {
    return (
      await this.pool.query<TimerRow>(
        'SELECT t.* FROM cases c JOIN case_timers t ON t.school_id = c.school_id AND t.case_id = c.id WHERE c.id = $1 ORDER BY t.due_at, t.name',
        [caseId],
      )
    ).rows.map(toTimer);
  }

  async listDueTimers(now: Date, limit: number) {
    return (
      await this.pool.query<TimerRow>('SELECT * FROM case_timers WHERE due_at <= $1 ORDER BY due_at, case_id, name LIMIT $2', [now, limit])
    ).rows.map(toTimer);
  }
}

// The writers of a case batch: each takes the rows of many cases at once, one statement however
// many cases an evaluation writes.
import type pg from 'pg';
import { type CaseRow } from './rows.ts';
import { CaseAlreadyOpen, VersionConflict, type NewCaseWrite, type CaseTimer, type EffectApproval, type NewEffect, type NewTimelineEntry, type NewTask, type TransitionCommit } from '../types.ts';

export type Queryable = Pick<pg.PoolClient, 'query'>;


// Each writer below takes the rows of many cases at once: one statement however many cases an
// evaluation writes.

/** A case as its rows name it: by its school (the distribution key, docs/scaling.md) and its id. */
export interface CaseKey {
  schoolId: string;
  caseId: string;
}

export async function insertTimeline(db: Queryable, rows: (CaseKey & { entry: NewTimelineEntry })[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO case_timeline (id, school_id, case_id, at, actor, type, from_state, to_state, evidence)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])`,
    [
      rows.map((r) => r.entry.id),
      rows.map((r) => r.schoolId),
      rows.map((r) => r.caseId),
      rows.map((r) => r.entry.at),
      rows.map((r) => r.entry.actor),
      rows.map((r) => r.entry.type),
      rows.map((r) => r.entry.from),
      rows.map((r) => r.entry.to),
      rows.map((r) => JSON.stringify(r.entry.evidence ?? null)),
    ],
  );
}

export async function insertEffects(db: Queryable, rows: (CaseKey & { effect: NewEffect; at: Date })[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO outbox (id, school_id, case_id, kind, payload, status, next_attempt_at, created_at, approval)
     SELECT id, school_id, case_id, kind, payload, CASE WHEN approval IS NULL THEN 'pending' ELSE 'held' END, next_attempt_at, created_at, approval
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::timestamptz[], $8::jsonb[])
         AS t(id, school_id, case_id, kind, payload, next_attempt_at, created_at, approval)`,
    [
      rows.map((r) => r.effect.id),
      rows.map((r) => r.schoolId),
      rows.map((r) => r.caseId),
      rows.map((r) => r.effect.kind),
      rows.map((r) => JSON.stringify(r.effect.payload ?? null)),
      // Delivery runs on wall-clock time (locks, backoff); the case's own time may be a demo's.
      rows.map((r) => r.effect.nextAttemptAt ?? new Date()),
      rows.map((r) => r.at),
      rows.map((r) => (r.effect.approval ? JSON.stringify(newApproval(r.effect.approval, r.at)) : null)),
    ],
  );
}

export const newApproval = (asked: NonNullable<NewEffect['approval']>, at: Date): EffectApproval => ({
  requires: asked.requires,
  reason: asked.reason,
  evidence: asked.evidence ?? null,
  heldAt: at,
  deferredUntil: null,
  edits: [],
  decisions: [],
});

/**
 * What the case no longer wants sent: everything held, and letters not yet sent. The overdue
 * approval task of an effect cancelled here closes with it: there is nothing left to approve.
 */
export async function cancelUnsent(db: Queryable, { schoolId, caseId }: CaseKey, cancel: { reason: string; heldLettersOnly?: boolean }, at: Date) {
  await db.query(
    `WITH cancelled AS (
       UPDATE outbox SET status = 'cancelled', last_error = $2, completed_at = $3, locked_until = NULL
        WHERE school_id = $5 AND case_id = $1 AND CASE WHEN $4::boolean THEN status = 'held' AND kind = 'sendLetter'
          ELSE (status = 'held' OR (kind = 'sendLetter' AND status IN ('pending', 'waiting'))) END
        RETURNING id)
     UPDATE tasks SET status = 'cancelled', completed_by = 'system:workflow', completed_at = $3, note = $2
      WHERE school_id = $5 AND status = 'open' AND id IN (SELECT 'approval-overdue:' || id FROM cancelled)`,
    [caseId, cancel.reason, at, cancel.heldLettersOnly === true, schoolId],
  );
}

/** The tasks of a stage the case has left, and the task-making effects of it not yet run. */
export async function closeTasks(db: Queryable, { schoolId, caseId }: CaseKey, close: NonNullable<TransitionCommit['closeTasks']>, at: Date) {
  await db.query(
    `UPDATE outbox SET status = 'cancelled', last_error = $2, completed_at = $3, locked_until = NULL
      WHERE school_id = $5 AND case_id = $1 AND kind = 'createTask' AND status IN ('pending', 'waiting') AND NOT (payload->>'kind' = ANY($4::text[]))`,
    [caseId, close.note, at, close.keepKinds, schoolId],
  );
  if (close.idPrefixes.length === 0) return;
  await db.query(
    `UPDATE tasks SET status = 'cancelled', completed_by = $3, completed_at = $4, note = $2
      WHERE school_id = $8 AND case_id = $1 AND status = 'open' AND NOT (kind = ANY($6::text[])) AND NOT (id = ANY($7::text[]))
        AND EXISTS (SELECT 1 FROM unnest($5::text[]) AS p(prefix) WHERE starts_with(id, p.prefix))`,
    [caseId, close.note, close.by, at, close.idPrefixes, close.keepKinds, close.keepIds ?? [], schoolId],
  );
}

export async function removeTimers(db: Queryable, rows: (CaseKey & { name: string })[]) {
  if (rows.length === 0) return;
  await db.query(
    `DELETE FROM case_timers t USING unnest($1::text[], $2::text[], $3::text[]) AS r(school_id, case_id, name)
      WHERE t.school_id = r.school_id AND t.case_id = r.case_id AND t.name = r.name`,
    [rows.map((r) => r.schoolId), rows.map((r) => r.caseId), rows.map((r) => r.name)],
  );
}

export async function setTimers(db: Queryable, rows: (CaseTimer & { schoolId: string })[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO case_timers (school_id, case_id, name, timer_id, due_at, event)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::jsonb[])
     ON CONFLICT (school_id, case_id, name) DO UPDATE SET timer_id = EXCLUDED.timer_id, due_at = EXCLUDED.due_at, event = EXCLUDED.event`,
    [
      rows.map((t) => t.schoolId),
      rows.map((t) => t.caseId),
      rows.map((t) => t.name),
      rows.map((t) => t.timerId),
      rows.map((t) => t.dueAt),
      rows.map((t) => JSON.stringify(t.event)),
    ],
  );
}

export async function insertCases(db: Queryable, created: NewCaseWrite[]) {
  if (created.length === 0) return [];
  const records = created.map((c) => c.record);
  try {
    const rows = await db.query<CaseRow>(
      `INSERT INTO cases (id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, version, opened_at, updated_at)
       SELECT id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, 1, opened_at, opened_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::jsonb[], $10::timestamptz[])
           AS t(id, school_id, upn, workflow_id, machine_id, machine_version, state, status, snapshot, opened_at)
       RETURNING *`,
      [
        records.map((r) => r.id),
        records.map((r) => r.schoolId),
        records.map((r) => r.upn),
        records.map((r) => r.workflowId),
        records.map((r) => r.machineId),
        records.map((r) => r.machineVersion),
        records.map((r) => r.state),
        records.map((r) => r.status),
        records.map((r) => JSON.stringify(r.snapshot)),
        records.map((r) => r.openedAt),
      ],
    );
    return rows.rows;
  } catch (error) {
    const { constraint, detail } = error as { constraint?: string; detail?: string };
    if (constraint !== 'cases_one_open_idx') throw error;
    // "Key (school_id, upn)=(s, u) already exists": name the pupil when the batch had several.
    const taken = records.find((r) => detail?.includes(`=(${r.schoolId}, ${r.upn})`)) ?? records[0]!;
    throw new CaseAlreadyOpen(taken.schoolId, taken.upn);
  }
}

export async function updateCases(db: Queryable, commits: TransitionCommit[]) {
  if (commits.length === 0) return [];
  const rows = await db.query<CaseRow>(
    `UPDATE cases c SET state = u.state, status = u.status, snapshot = u.snapshot, machine_version = COALESCE(u.machine_version, c.machine_version),
            version = c.version + 1, updated_at = u.at
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::jsonb[], $6::int[], $7::timestamptz[])
         AS u(id, expected_version, state, status, snapshot, machine_version, at)
      WHERE c.id = u.id AND c.version = u.expected_version
      RETURNING c.*`,
    [
      commits.map((c) => c.caseId),
      commits.map((c) => c.expectedVersion),
      commits.map((c) => c.state),
      commits.map((c) => c.status),
      commits.map((c) => JSON.stringify(c.snapshot)),
      commits.map((c) => c.machineVersion ?? null),
      commits.map((c) => c.at),
    ],
  );
  if (rows.rows.length < commits.length) {
    const written = new Set(rows.rows.map((row) => row.id));
    const lost = commits.find((c) => !written.has(c.caseId))!;
    throw new VersionConflict(lost.caseId, lost.expectedVersion);
  }
  return rows.rows;
}

export async function insertTasks(db: Queryable, tasks: NewTask[]) {
  if (tasks.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO tasks (id, case_id, school_id, kind, title, due_date, status, assignee, created_at)
     SELECT id, case_id, school_id, kind, title, due_date, 'open', assignee, created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[], $8::timestamptz[])
         AS t(id, case_id, school_id, kind, title, due_date, assignee, created_at)
     ON CONFLICT (id) DO NOTHING`,
    [
      tasks.map((t) => t.id),
      tasks.map((t) => t.caseId),
      tasks.map((t) => t.schoolId),
      tasks.map((t) => t.kind),
      tasks.map((t) => t.title),
      tasks.map((t) => t.dueDate),
      tasks.map((t) => t.assignee ?? null),
      tasks.map((t) => t.createdAt),
    ],
  );
  return result.rowCount ?? 0;
}

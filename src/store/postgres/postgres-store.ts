import type pg from 'pg';
import { listMessagePage } from './message-page.ts';
import { inTransaction } from './pool.ts';
import { countExpired, erasePupil, heldMessageIdsBefore, purgeExpiredBatch } from './retention.ts';
import { beginPostgresMarksImport } from './marks-import.ts';
import { streamSchoolMarks } from './school-marks.ts';
import {
  toCase,
  toQueueLine,
  toContact,
  toEffect,
  toPupil,
  toSchool,
  toTimeline,
  toTimer,
  toTask,
  toMessage,
  toUser,
  toAuthSession,
  toAudit,
  type UserRow,
  type AuthSessionRow,
  type AuditRow,
  type MessageRow,
  type CaseRow,
  type QueueRow,
  type TaskRow,
  type ContactRow,
  type EffectRow,
  type PupilRow,
  type SchoolRow,
  type TimelineRow,
  type TimerRow,
} from './rows.ts';
import {
  CaseAlreadyOpen,
  VersionConflict,
  type CaseBatch,
  type CaseFilter,
  type NewCaseWrite,
  type SchoolMarksFilter,
  type CaseTimer,
  type ClaimOptions,
  type Contact,
  type EffectApproval,
  type EffectDecision,
  type EffectStatus,
  type NewCase,
  type NewEffect,
  type NewTimelineEntry,
  type Pupil,
  type School,
  type StoredMark,
  type NewTask,
  type NewMessage,
  type MessageUpdate,
  type TaskFilter,
  type Store,
  type TransitionCommit,
  type Trust,
  type User,
  type AuthSession,
  type MessagePageFilter,
  type AuditEntry,
  type AuditFilter,
  type RetentionKind,
} from '../types.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;


// Each writer below takes the rows of many cases at once: one statement however many cases an
// evaluation writes.

async function insertTimeline(db: Queryable, rows: { caseId: string; entry: NewTimelineEntry }[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO case_timeline (id, case_id, at, actor, type, from_state, to_state, evidence)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])`,
    [
      rows.map((r) => r.entry.id),
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

async function insertEffects(db: Queryable, rows: { caseId: string; effect: NewEffect; at: Date }[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO outbox (id, case_id, kind, payload, status, next_attempt_at, created_at, approval)
     SELECT id, case_id, kind, payload, CASE WHEN approval IS NULL THEN 'pending' ELSE 'held' END, next_attempt_at, created_at, approval
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::jsonb[])
         AS t(id, case_id, kind, payload, next_attempt_at, created_at, approval)`,
    [
      rows.map((r) => r.effect.id),
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

const newApproval = (asked: NonNullable<NewEffect['approval']>, at: Date): EffectApproval => ({
  requires: asked.requires,
  reason: asked.reason,
  evidence: asked.evidence ?? null,
  heldAt: at,
  deferredUntil: null,
  edits: [],
  decisions: [],
});

/** What the case no longer wants sent: everything held, and letters not yet sent. */
async function cancelUnsent(db: Queryable, caseId: string, reason: string, at: Date) {
  await db.query(
    `UPDATE outbox SET status = 'cancelled', last_error = $2, completed_at = $3, locked_until = NULL
      WHERE case_id = $1 AND (status = 'held' OR (kind = 'sendLetter' AND status IN ('pending', 'waiting')))`,
    [caseId, reason, at],
  );
}

async function removeTimers(db: Queryable, rows: { caseId: string; name: string }[]) {
  if (rows.length === 0) return;
  await db.query(
    'DELETE FROM case_timers t USING unnest($1::text[], $2::text[]) AS r(case_id, name) WHERE t.case_id = r.case_id AND t.name = r.name',
    [rows.map((r) => r.caseId), rows.map((r) => r.name)],
  );
}

async function setTimers(db: Queryable, rows: CaseTimer[]) {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO case_timers (case_id, name, timer_id, due_at, event)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
     ON CONFLICT (case_id, name) DO UPDATE SET timer_id = EXCLUDED.timer_id, due_at = EXCLUDED.due_at, event = EXCLUDED.event`,
    [rows.map((t) => t.caseId), rows.map((t) => t.name), rows.map((t) => t.timerId), rows.map((t) => t.dueAt), rows.map((t) => JSON.stringify(t.event))],
  );
}

async function insertCases(db: Queryable, created: NewCaseWrite[]) {
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

async function updateCases(db: Queryable, commits: TransitionCommit[]) {
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

async function insertTasks(db: Queryable, tasks: NewTask[]) {
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

/**
 * The page of cases a filter asks for, and its count. Only the conditions the filter sets are in the
 * SQL: `($n IS NULL OR …)` for every possible filter cost more to plan than the page costs to read.
 * `school_id = ANY(…)` makes the planner read every row of the schools and sort them, even for one
 * school; one school at a time (`school_id = s.id`) walks (school_id, next_task_due, …) in order
 * and stops after the page, and the merge sorts at most schools × (offset + limit) rows.
 */
function caseListQuery(filter: CaseFilter) {
  const countParams: unknown[] = [];
  const arg = (value: unknown, type: string) => {
    countParams.push(value);
    return `$${countParams.length}::${type}`;
  };
  const conditions: string[] = [];
  if (filter.status != null) conditions.push(`c.status = ${arg(filter.status, 'text')}`);
  if (filter.state != null) {
    const state = arg(filter.state, 'text');
    conditions.push(`(c.state = ${state} OR c.state LIKE ${state} || '.%')`);
  }
  if (filter.upn != null) conditions.push(`c.upn = ${arg(filter.upn, 'text')}`);
  if (filter.upns != null) conditions.push(`c.upn = ANY(${arg(filter.upns, 'text[]')})`);
  if (filter.caseIds != null) conditions.push(`c.id = ANY(${arg(filter.caseIds, 'text[]')})`);
  if (filter.stage != null) {
    const stage = arg(filter.stage, 'text');
    conditions.push(`(${stage} = ANY(string_to_array(c.state, '.')) OR c.snapshot->'context'->>'stage' = ${stage})`);
  }
  if (filter.openTask) {
    const task = ["t.case_id = c.id", "t.status = 'open'"];
    if (filter.openTask.dueBefore != null) task.push(`t.due_date <= ${arg(filter.openTask.dueBefore, 'date')}`);
    if (filter.openTask.assignee != null) task.push(`t.assignee = ${arg(filter.openTask.assignee, 'text')}`);
    conditions.push(`EXISTS (SELECT 1 FROM tasks t WHERE ${task.join(' AND ')})`);
  }
  const schools = filter.schoolIds == null ? null : arg(filter.schoolIds, 'text[]');
  const where = (more: string | null) => {
    const all = more === null ? conditions : [more, ...conditions];
    return all.length === 0 ? '' : `WHERE ${all.join(' AND ')}`;
  };
  const order =
    filter.order === 'dueFirst' ? 'ORDER BY c.next_task_due ASC NULLS LAST, c.updated_at DESC, c.id' : 'ORDER BY c.updated_at DESC, c.id';
  const limit = filter.limit ?? 50;
  const offset = filter.offset ?? 0;
  const params = [...countParams, limit, offset];
  const [limitArg, offsetArg] = [`$${params.length - 1}::int`, `$${params.length}::int`];
  return {
    limit,
    offset,
    order,
    limitArg,
    countParams,
    params,
    page:
      schools === null
        ? `SELECT c.* FROM cases c ${where(null)} ${order} LIMIT ${limitArg} OFFSET ${offsetArg}`
        : `SELECT c.* FROM (SELECT DISTINCT unnest(${schools}) AS id) s
             CROSS JOIN LATERAL (SELECT c.* FROM cases c ${where('c.school_id = s.id')} ${order} LIMIT ${limitArg} + ${offsetArg}) c
           ${order} LIMIT ${limitArg} OFFSET ${offsetArg}`,
    count: `SELECT count(*)::int AS n FROM cases c ${where(schools === null ? null : `c.school_id = ANY(${schools})`)}`,
  };
}

/** A page that is short, and not past the end, already tells the exact total. */
function knownTotal(query: { limit: number; offset: number }, rows: number): number | null {
  return rows < query.limit && (rows > 0 || query.offset === 0) ? query.offset + rows : null;
}

/** How long a process reuses the total of a queue filtered by school and status alone. */
export const QUEUE_TOTAL_CACHE_MS = 2_000;

/**
 * The default work queue (a school's cases, perhaps of one status) is asked for again and again,
 * and its exact count is the dearest part of a page. Such a total is kept briefly; this process's
 * own case writes drop it at once, another process's show within QUEUE_TOTAL_CACHE_MS.
 */
function plainTotalKey(filter: CaseFilter): string | null {
  const { schoolIds, status, limit: _limit, offset: _offset, order: _order, ...rest } = filter;
  if (Object.values(rest).some((value) => value != null)) return null;
  return JSON.stringify([schoolIds ?? null, status ?? null]);
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly queueTotals = new Map<string, { n: number; at: number }>();

  constructor(readonly pool: pg.Pool) {}

  async ping() {
    await this.pool.query('SELECT 1');
  }

  async close() {
    // pool.end() resolves before its clients' sockets have closed; stopping an embedded server
    // in that gap makes the closing clients raise unhandled errors. Wait for each to be removed.
    const open = this.pool.totalCount;
    let removed = 0;
    const allClosed = new Promise<void>((resolve) => {
      if (open === 0) resolve();
      this.pool.on('remove', () => {
        removed += 1;
        if (removed >= open) resolve();
      });
    });
    await this.pool.end();
    await Promise.race([allClosed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }

  async upsertTrust(trust: Trust) {
    await this.pool.query('INSERT INTO trusts (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name', [
      trust.id,
      trust.name,
    ]);
  }

  async getTrust(id: string) {
    return (await this.pool.query<Trust>('SELECT id, name FROM trusts WHERE id = $1', [id])).rows[0] ?? null;
  }

  async listTrusts() {
    return (await this.pool.query<Trust>('SELECT id, name FROM trusts ORDER BY name')).rows;
  }

  async upsertSchool(school: School) {
    await this.pool.query(
      `INSERT INTO schools (id, trust_id, name, workflow_id, local_authority, notify_emails)
       VALUES ($1, $2, $3, $4, $5, COALESCE($6::jsonb, '{}'::jsonb))
       ON CONFLICT (id) DO UPDATE SET trust_id = EXCLUDED.trust_id, name = EXCLUDED.name,
         workflow_id = EXCLUDED.workflow_id, local_authority = EXCLUDED.local_authority,
         notify_emails = COALESCE($6::jsonb, schools.notify_emails)`,
      [school.id, school.trustId, school.name, school.workflowId, school.localAuthority, school.notifyEmails ? JSON.stringify(school.notifyEmails) : null],
    );
  }

  async getSchool(id: string) {
    const row = (await this.pool.query<SchoolRow>('SELECT * FROM schools WHERE id = $1', [id])).rows[0];
    return row ? toSchool(row) : null;
  }

  async listSchools(filter: { trustId?: string } = {}) {
    const rows = await this.pool.query<SchoolRow>(
      'SELECT * FROM schools WHERE ($1::text IS NULL OR trust_id = $1) ORDER BY name',
      [filter.trustId ?? null],
    );
    return rows.rows.map(toSchool);
  }

  async upsertPupils(schoolId: string, pupils: Omit<Pupil, 'schoolId'>[]) {
    if (pupils.length === 0) return { inserted: 0, updated: 0 };
    const result = await this.pool.query<{ inserted: number; updated: number }>(
      `WITH written AS (
         INSERT INTO pupils (school_id, upn, forename, surname, date_of_birth, year_group, vulnerability, on_roll)
         SELECT $1, upn, forename, surname, dob, year_group,
                ARRAY(SELECT jsonb_array_elements_text(vulnerability)), on_roll
           FROM unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::jsonb[], $8::boolean[])
             AS t(upn, forename, surname, dob, year_group, vulnerability, on_roll)
         ON CONFLICT (school_id, upn) DO UPDATE SET forename = EXCLUDED.forename, surname = EXCLUDED.surname,
           date_of_birth = EXCLUDED.date_of_birth, year_group = EXCLUDED.year_group,
           vulnerability = EXCLUDED.vulnerability, on_roll = EXCLUDED.on_roll
         RETURNING (xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM written`,
      [
        schoolId,
        pupils.map((p) => p.upn),
        pupils.map((p) => p.forename),
        pupils.map((p) => p.surname),
        pupils.map((p) => p.dateOfBirth),
        pupils.map((p) => p.yearGroup),
        pupils.map((p) => JSON.stringify(p.vulnerability)),
        pupils.map((p) => p.onRoll),
      ],
    );
    return result.rows[0]!;
  }

  async getPupil(schoolId: string, upn: string) {
    const row = (await this.pool.query<PupilRow>('SELECT * FROM pupils WHERE school_id = $1 AND upn = $2', [schoolId, upn])).rows[0];
    return row ? toPupil(row) : null;
  }

  async listPupils(schoolId: string, upns?: string[]) {
    return (
      await this.pool.query<PupilRow>('SELECT * FROM pupils WHERE school_id = $1 AND ($2::text[] IS NULL OR upn = ANY($2)) ORDER BY upn', [
        schoolId,
        upns ?? null,
      ])
    ).rows.map(toPupil);
  }

  async replaceContacts(schoolId: string, contacts: Omit<Contact, 'schoolId'>[]) {
    const upns = [...new Set(contacts.map((c) => c.upn))];
    return inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM contacts WHERE school_id = $1 AND upn = ANY($2::text[])', [schoolId, upns]);
      const position = new Map<string, number>();
      await client.query(
        `INSERT INTO contacts (school_id, upn, position, name, relationship, email, phone, parental_responsibility, lives_with)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[])`,
        [
          schoolId,
          contacts.map((c) => c.upn),
          contacts.map((c) => {
            const next = (position.get(c.upn) ?? 0) + 1;
            position.set(c.upn, next);
            return next;
          }),
          contacts.map((c) => c.name),
          contacts.map((c) => c.relationship),
          contacts.map((c) => c.email),
          contacts.map((c) => c.phone),
          contacts.map((c) => c.parentalResponsibility),
          contacts.map((c) => c.livesWith),
        ],
      );
      return { pupils: upns.length, contacts: contacts.length };
    });
  }

  async listContacts(schoolId: string, upn?: string) {
    const rows = await this.pool.query<ContactRow>(
      'SELECT * FROM contacts WHERE school_id = $1 AND ($2::text IS NULL OR upn = $2) ORDER BY upn, position',
      [schoolId, upn ?? null],
    );
    return rows.rows.map(toContact);
  }

  beginMarksImport(schoolId: string, meta: { actor: string; reason: string; at: Date }) {
    return beginPostgresMarksImport(this.pool, schoolId, meta);
  }

  async listMarks(schoolId: string, upn: string, range: { from?: string; to?: string } = {}) {
    const rows = await this.pool.query<StoredMark>(
      `SELECT upn, date, session, code FROM marks
        WHERE school_id = $1 AND upn = $2 AND ($3::date IS NULL OR date >= $3) AND ($4::date IS NULL OR date <= $4)
        ORDER BY date, session`,
      [schoolId, upn, range.from ?? null, range.to ?? null],
    );
    return rows.rows;
  }

  streamSchoolMarks(schoolId: string, filter: SchoolMarksFilter = {}) {
    return streamSchoolMarks(this.pool, schoolId, filter);
  }

  async listAmendments(schoolId: string, upn: string) {
    const rows = await this.pool.query(
      `SELECT school_id AS "schoolId", upn, date, session, original_code AS "originalCode", new_code AS "newCode",
              reason, amended_by AS "amendedBy", amended_at AS "amendedAt"
         FROM mark_amendments WHERE school_id = $1 AND upn = $2 ORDER BY id`,
      [schoolId, upn],
    );
    return rows.rows;
  }

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
      await insertTimeline(client, [
        ...created.flatMap((c) => c.timeline.map((entry) => ({ caseId: c.record.id, entry }))),
        ...commits.flatMap((c) => c.timeline.map((entry) => ({ caseId: c.caseId, entry }))),
      ]);
      for (const commit of commits) if (commit.cancelUnsent) await cancelUnsent(client, commit.caseId, commit.cancelUnsent.reason, commit.at);
      await insertEffects(client, [
        ...created.flatMap((c) => c.effects.map((effect) => ({ caseId: c.record.id, effect, at: c.record.openedAt }))),
        ...commits.flatMap((c) => c.effects.map((effect) => ({ caseId: c.caseId, effect, at: c.at }))),
      ]);
      await removeTimers(client, commits.flatMap((c) => (c.timers?.remove ?? []).map((name) => ({ caseId: c.caseId, name }))));
      await setTimers(client, [
        ...created.flatMap((c) => (c.timers ?? []).map((timer) => ({ ...timer, caseId: c.record.id }))),
        ...commits.flatMap((c) => (c.timers?.set ?? []).map((timer) => ({ ...timer, caseId: c.caseId }))),
      ]);
      const tasksCreated = await insertTasks(client, tasks);
      const byId = new Map([...inserted, ...updated].map((row) => [row.id, row]));
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
    // subquery only in the branch taken); an empty page brings no row to carry it.
    const rows = (
      await this.pool.query<QueueRow>(
        `WITH page AS MATERIALIZED (${query.page})
         SELECT c.id, c.school_id, c.upn, c.state, c.status, c.version, c.updated_at, c.snapshot->'context'->>'stage' AS stage,
                p.forename, p.surname, t.id AS task_id, t.title AS task_title, t.due_date AS task_due_date, t.assignee AS task_assignee,
                CASE WHEN (SELECT count(*) FROM page) < ${query.limitArg} THEN NULL ELSE ${cached === null ? `(${query.count})` : 'NULL'} END AS total
           FROM page c
           LEFT JOIN pupils p ON p.school_id = c.school_id AND p.upn = c.upn
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

  async appendTimeline(caseId: string, entries: NewTimelineEntry[]) {
    await insertTimeline(this.pool, entries.map((entry) => ({ caseId, entry })));
  }

  async listTimeline(caseId: string) {
    return (await this.pool.query<TimelineRow>('SELECT * FROM case_timeline WHERE case_id = $1 ORDER BY seq', [caseId])).rows.map(
      toTimeline,
    );
  }

  async getTimer(caseId: string, name: string) {
    const row = (await this.pool.query<TimerRow>('SELECT * FROM case_timers WHERE case_id = $1 AND name = $2', [caseId, name])).rows[0];
    return row ? toTimer(row) : null;
  }

  async listTimers(caseId: string) {
    return (await this.pool.query<TimerRow>('SELECT * FROM case_timers WHERE case_id = $1 ORDER BY due_at, name', [caseId])).rows.map(
      toTimer,
    );
  }

  async listDueTimers(now: Date, limit: number) {
    return (
      await this.pool.query<TimerRow>('SELECT * FROM case_timers WHERE due_at <= $1 ORDER BY due_at, case_id, name LIMIT $2', [now, limit])
    ).rows.map(toTimer);
  }

  async getSetting(key: string) {
    return (await this.pool.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null;
  }

  async putSetting(key: string, value: unknown) {
    await this.pool.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
      key,
      JSON.stringify(value),
    ]);
  }

  async createTask(task: NewTask) {
    return (await insertTasks(this.pool, [task])) === 1;
  }

  async getTask(id: string) {
    const row = (await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id])).rows[0];
    return row ? toTask(row) : null;
  }

  async listTasks(filter: TaskFilter) {
    const rows = await this.pool.query<TaskRow>(
      `SELECT * FROM tasks
        WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text[] IS NULL OR school_id = ANY($2))
          AND ($3::text IS NULL OR status = $3) AND ($4::date IS NULL OR due_date <= $4)
          AND ($5::text[] IS NULL OR case_id = ANY($5))
        ORDER BY due_date, created_at, id`,
      [filter.caseId ?? null, filter.schoolIds ?? null, filter.status ?? null, filter.dueBefore ?? null, filter.caseIds ?? null],
    );
    return rows.rows.map(toTask);
  }

  async closeTask(id: string, outcome: { status: 'done' | 'cancelled'; by: string; at: Date; note?: string }) {
    const row = (
      await this.pool.query<TaskRow>(
        `UPDATE tasks SET status = $2, completed_by = $3, completed_at = $4, note = $5
          WHERE id = $1 AND status = 'open' RETURNING *`,
        [id, outcome.status, outcome.by, outcome.at, outcome.note ?? null],
      )
    ).rows[0];
    return row ? toTask(row) : null;
  }

  async claimEffects({ now, limit, lockMs }: ClaimOptions) {
    // SKIP LOCKED lets several workers claim disjoint batches without waiting on each other.
    const rows = await this.pool.query<EffectRow>(
      `UPDATE outbox SET status = 'running', attempts = attempts + 1, locked_until = $1::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE id IN (
          SELECT id FROM outbox
           WHERE next_attempt_at <= $1
             AND (status = 'pending' OR (status = 'running' AND locked_until < $1))
           ORDER BY next_attempt_at, id
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, limit, lockMs],
    );
    return rows.rows.map(toEffect).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id));
  }

  async completeEffect(id: string, at: Date) {
    await this.pool.query("UPDATE outbox SET status = 'done', completed_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1", [
      id,
      at,
    ]);
  }

  async retryEffect(id: string, error: string, nextAttemptAt: Date) {
    await this.pool.query(
      "UPDATE outbox SET status = 'pending', last_error = $2, next_attempt_at = $3, locked_until = NULL WHERE id = $1",
      [id, error, nextAttemptAt],
    );
  }

  async failEffect(id: string, error: string, at: Date) {
    await this.pool.query(
      "UPDATE outbox SET status = 'failed', last_error = $2, completed_at = $3, locked_until = NULL WHERE id = $1",
      [id, error, at],
    );
  }

  async parkEffect(id: string, reason: string) {
    await this.pool.query("UPDATE outbox SET status = 'waiting', last_error = $2, locked_until = NULL WHERE id = $1", [id, reason]);
  }

  async getEffect(id: string) {
    const row = (await this.pool.query<EffectRow>('SELECT * FROM outbox WHERE id = $1', [id])).rows[0];
    return row ? toEffect(row) : null;
  }

  async listEffects(filter: { caseId?: string; status?: EffectStatus; schoolIds?: string[] }) {
    const rows = await this.pool.query<EffectRow>(
      `SELECT * FROM outbox o WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR status = $2)
          AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM cases c WHERE c.id = o.case_id AND c.school_id = ANY($3)))
        ORDER BY created_at, id`,
      [filter.caseId ?? null, filter.status ?? null, filter.schoolIds ?? null],
    );
    return rows.rows.map(toEffect);
  }

  async decideEffect(id: string, decision: EffectDecision, timeline: NewTimelineEntry) {
    return inTransaction(this.pool, async (client) => {
      // The row lock makes two people deciding at once take turns: the second finds it decided.
      const row = (await client.query<EffectRow>("SELECT * FROM outbox WHERE id = $1 AND status = 'held' FOR UPDATE", [id])).rows[0];
      if (!row) return null;
      const held = toEffect(row);
      const approval: EffectApproval = {
        ...held.approval!,
        decisions: [...held.approval!.decisions, decision],
        deferredUntil: decision.decision === 'defer' ? decision.until : null,
        edits: decision.decision === 'approve' ? (decision.edits ?? []) : held.approval!.edits,
      };
      const status = decision.decision === 'approve' ? 'pending' : decision.decision === 'reject' ? 'rejected' : 'held';
      const updated = await client.query<EffectRow>(
        `UPDATE outbox SET status = $2, approval = $3, next_attempt_at = CASE WHEN $2 = 'pending' THEN now() ELSE next_attempt_at END,
                completed_at = CASE WHEN $2 = 'rejected' THEN $4::timestamptz ELSE completed_at END
          WHERE id = $1 RETURNING *`,
        [id, status, JSON.stringify(approval), decision.at],
      );
      if (held.caseId) await insertTimeline(client, [{ caseId: held.caseId, entry: timeline }]);
      return toEffect(updated.rows[0]!);
    });
  }

  async createMessage(m: NewMessage) {
    const result = await this.pool.query(
      `INSERT INTO messages (id, effect_id, case_id, school_id, template, kind, recipient_role, recipient_name, recipient_email,
         subject, message_id, status, pdf, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
      [m.id, m.effectId, m.caseId, m.schoolId, m.template, m.kind, m.recipientRole, m.recipientName, m.recipientEmail,
        m.subject, m.messageId, m.status, m.pdf, m.createdAt],
    );
    return result.rowCount === 1;
  }

  async getMessage(id: string) {
    const row = (await this.pool.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id])).rows[0];
    return row ? toMessage(row) : null;
  }

  async listMessages(filter: { caseId?: string; effectId?: string; schoolIds?: string[] }) {
    const rows = await this.pool.query<MessageRow>(
      `SELECT * FROM messages
        WHERE ($1::text IS NULL OR case_id = $1) AND ($2::text IS NULL OR effect_id = $2)
          AND ($3::text[] IS NULL OR school_id = ANY($3))
        ORDER BY created_at, id`,
      [filter.caseId ?? null, filter.effectId ?? null, filter.schoolIds ?? null],
    );
    return rows.rows.map(toMessage);
  }

  listMessagePage(filter: MessagePageFilter) {
    return listMessagePage(this.pool, filter);
  }

  async updateMessage(id: string, update: MessageUpdate) {
    const sent = update.status === 'sent';
    const row = (
      await this.pool.query<MessageRow>(
        `UPDATE messages SET status = $2, transport = COALESCE($3, transport), raw = COALESCE($4, raw), error = $5,
           sent_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE sent_at END
         WHERE id = $1 RETURNING *`,
        [id, update.status, sent ? update.transport : null, sent ? update.raw : null, sent ? null : update.error, sent, update.at],
      )
    ).rows[0];
    return row ? toMessage(row) : null;
  }
  async upsertUser(user: User) {
    await this.pool.query(
      `INSERT INTO users (id, email, name, role, school_id, trust_id, local_authority, password_hash, active, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role,
         school_id = EXCLUDED.school_id, trust_id = EXCLUDED.trust_id, local_authority = EXCLUDED.local_authority,
         password_hash = EXCLUDED.password_hash, active = EXCLUDED.active`,
      [user.id, user.email.toLowerCase(), user.name, user.role, user.schoolId, user.trustId, user.localAuthority, user.passwordHash, user.active, user.createdAt],
    );
  }

  async getUser(id: string) {
    const row = (await this.pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    return row ? toUser(row) : null;
  }

  async findUserByEmail(email: string) {
    const row = (await this.pool.query<UserRow>('SELECT * FROM users WHERE email = $1', [email.toLowerCase()])).rows[0];
    return row ? toUser(row) : null;
  }

  async createSession(session: AuthSession) {
    await this.pool.query('INSERT INTO auth_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      session.idHash,
      session.userId,
      session.csrfToken,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async getSession(idHash: string) {
    const row = (await this.pool.query<AuthSessionRow>('SELECT * FROM auth_sessions WHERE id_hash = $1', [idHash])).rows[0];
    return row ? toAuthSession(row) : null;
  }

  async deleteSession(idHash: string) {
    await this.pool.query('DELETE FROM auth_sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteExpiredSessions(now: Date) {
    return (await this.pool.query('DELETE FROM auth_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async recordLoginFailure(key: string, at: Date) {
    await this.pool.query('INSERT INTO login_failures (key, at) VALUES ($1, $2)', [key, at]);
  }

  async countLoginFailures(key: string, since: Date) {
    return (await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM login_failures WHERE key = $1 AND at > $2', [key, since])).rows[0]!.n;
  }

  async clearLoginFailures(key: string) {
    await this.pool.query('DELETE FROM login_failures WHERE key = $1', [key]);
  }

  async deleteLoginFailuresBefore(before: Date) {
    return (await this.pool.query('DELETE FROM login_failures WHERE at < $1', [before])).rowCount ?? 0;
  }

  async appendAudit(entries: AuditEntry[]) {
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO audit_log (id, at, actor, action, school_id, case_id, upn, detail)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])`,
      [
        entries.map((e) => e.id),
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.action),
        entries.map((e) => e.schoolId),
        entries.map((e) => e.caseId),
        entries.map((e) => e.upn),
        entries.map((e) => JSON.stringify(e.detail ?? null)),
      ],
    );
  }

  async listAudit(filter: AuditFilter) {
    const params = [filter.actor ?? null, filter.caseId ?? null, filter.upn ?? null, filter.schoolIds ?? null, filter.from ?? null, filter.to ?? null];
    const where = `($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR case_id = $2) AND ($3::text IS NULL OR upn = $3)
      AND ($4::text[] IS NULL OR school_id = ANY($4)) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)`;
    const [total, rows] = await Promise.all([
      this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE ${where}`, params),
      this.pool.query<AuditRow>(`SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, seq DESC LIMIT $7 OFFSET $8`, [
        ...params,
        filter.limit ?? 50,
        filter.offset ?? 0,
      ]),
    ]);
    return { total: total.rows[0]!.n, entries: rows.rows.map(toAudit) };
  }

  async listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }) {
    const rows = await this.pool.query<{ id: string }>(
      `SELECT c.id FROM cases c
        WHERE c.school_id = ANY($1::text[])
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.kind = 'notify' AND o.payload->>'to' = ANY($2::text[])
                        AND o.status NOT IN ('held', 'rejected', 'cancelled'))
        ORDER BY c.id COLLATE "C"`,
      [filter.schoolIds, filter.recipients],
    );
    return rows.rows.map((r) => r.id);
  }

  async purgeRegisterBefore(date: string) {
    return inTransaction(this.pool, async (client) => {
      const marks = await client.query('DELETE FROM marks WHERE date < $1::date', [date]);
      const amendments = await client.query('DELETE FROM mark_amendments WHERE date < $1::date', [date]);
      return { marks: marks.rowCount ?? 0, amendments: amendments.rowCount ?? 0 };
    });
  }

  countExpired(kind: RetentionKind, before: Date) {
    return countExpired(this.pool, kind, before);
  }

  purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number) {
    return purgeExpiredBatch(this.pool, kind, before, limit);
  }

  erasePupil(schoolId: string, upn: string) {
    return erasePupil(this.pool, schoolId, upn);
  }

  heldMessageIdsBefore(before: Date) {
    return heldMessageIdsBefore(this.pool, before);
  }
}

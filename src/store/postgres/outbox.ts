import * as leases from './worker-leases.ts';
import { inTransaction } from './pool.ts';
import { toEffect, toTask, type TaskRow, type EffectRow } from './rows.ts';
import { type ClaimOptions, type WorkerBeat, type EffectApproval, type EffectDecision, type EffectStatus, type NewTimelineEntry, type NewTask, type TaskFilter } from '../types.ts';
import { insertTimeline, insertTasks } from './case-writes.ts';
import { PgBase } from './base.ts';

/** Tasks, the outbox of effects (claims, leases, decisions) and the workers that run them. */
export abstract class PgOutbox extends PgBase {
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

  async claimEffects({ now, limit, lockMs, claimedBy }: ClaimOptions) {
    // SKIP LOCKED lets several workers claim disjoint batches without waiting on each other.
    const rows = await this.pool.query<EffectRow>(
      `UPDATE outbox SET status = 'running', attempts = attempts + 1, claimed_by = $4,
              locked_until = $1::timestamptz + make_interval(secs => $3::double precision / 1000)
        WHERE id IN (
          SELECT id FROM outbox
           WHERE next_attempt_at <= $1
             AND (status = 'pending' OR (status = 'running' AND locked_until < $1))
           ORDER BY next_attempt_at, id
           LIMIT $2
           FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, limit, lockMs, claimedBy ?? null],
    );
    return rows.rows.map(toEffect).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id.localeCompare(b.id));
  }

  renewEffects(ids: string[], claimedBy: string, lockedUntil: Date) {
    return leases.renewEffects(this.pool, ids, claimedBy, lockedUntil);
  }

  beatWorker(beat: WorkerBeat) {
    return leases.beatWorker(this.pool, beat);
  }

  listWorkers() {
    return leases.listWorkers(this.pool);
  }

  releaseWorkers(ids: string[]) {
    return leases.releaseWorkers(this.pool, ids);
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
      // A case's effects by (school_id, case_id), the school found through the case.
      `SELECT * FROM outbox o WHERE ($1::text IS NULL OR (school_id = (SELECT c.school_id FROM cases c WHERE c.id = $1) AND case_id = $1))
          AND ($2::text IS NULL OR status = $2)
          AND ($3::text[] IS NULL OR o.school_id = ANY($3))
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
      if (held.caseId) await insertTimeline(client, [{ schoolId: row.school_id, caseId: held.caseId, entry: timeline }]);
      return toEffect(updated.rows[0]!);
    });
  }

  async listNotifiedCaseIds(filter: { schoolIds: string[]; recipients: string[] }) {
    const rows = await this.pool.query<{ id: string }>(
      `SELECT c.id FROM cases c
        WHERE c.school_id = ANY($1::text[])
          AND EXISTS (SELECT 1 FROM outbox o WHERE o.school_id = c.school_id AND o.case_id = c.id AND o.kind = 'notify' AND o.payload->>'to' = ANY($2::text[])
                        AND o.status NOT IN ('held', 'rejected', 'cancelled'))
        ORDER BY c.id COLLATE "C"`,
      [filter.schoolIds, filter.recipients],
    );
    return rows.rows.map((r) => r.id);
  }
}

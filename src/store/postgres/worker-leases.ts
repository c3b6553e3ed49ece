import type pg from 'pg';
import type { WorkerBeat } from '../types.ts';

/** Agenda's own table (`@agendajs/postgres-backend`'s default name, created by our migration runner). */
const AGENDA_JOBS = 'agenda_jobs';

export async function beatWorker(pool: pg.Pool, beat: WorkerBeat): Promise<void> {
  await pool.query(
    `INSERT INTO worker_heartbeats (id, host, pid, started_at, beat_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at`,
    [beat.id, beat.host, beat.pid, beat.startedAt, beat.beatAt],
  );
}

export async function listWorkers(pool: pg.Pool): Promise<WorkerBeat[]> {
  const { rows } = await pool.query<{ id: string; host: string; pid: number; started_at: Date; beat_at: Date }>(
    'SELECT id, host, pid, started_at, beat_at FROM worker_heartbeats ORDER BY started_at, id',
  );
  return rows.map((r) => ({ id: r.id, host: r.host, pid: r.pid, startedAt: r.started_at, beatAt: r.beat_at }));
}

export async function renewEffects(pool: pg.Pool, ids: string[], claimedBy: string, lockedUntil: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await pool.query(
    "UPDATE outbox SET locked_until = $3 WHERE id = ANY($1::text[]) AND status = 'running' AND claimed_by = $2",
    [ids, claimedBy, lockedUntil],
  );
  return rowCount ?? 0;
}

/** One transaction: a dead worker's heartbeat, job locks and claims go together or not at all. */
export async function releaseWorkers(pool: pg.Pool, ids: string[]): Promise<{ jobs: number; effects: number }> {
  if (ids.length === 0) return { jobs: 0, effects: 0 };
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM worker_heartbeats WHERE id = ANY($1::text[])', [ids]);
    // Agenda writes the locking process's name into last_modified_by; ours is the worker id.
    const jobs = await client.query(`UPDATE ${AGENDA_JOBS} SET locked_at = NULL WHERE locked_at IS NOT NULL AND last_modified_by = ANY($1::text[])`, [ids]);
    const effects = await client.query(
      "UPDATE outbox SET status = 'pending', locked_until = NULL, claimed_by = NULL WHERE status = 'running' AND claimed_by = ANY($1::text[])",
      [ids],
    );
    await client.query('COMMIT');
    return { jobs: jobs.rowCount ?? 0, effects: effects.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

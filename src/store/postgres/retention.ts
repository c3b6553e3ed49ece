// Retention for PostgreSQL: one batch of expired rows per transaction, so a crash part-way leaves
// whole cases, pupils, letters and audit entries, never half of one. Open cases are never touched.
import type pg from 'pg';
import { inTransaction } from './pool.ts';
import type { RetentionKind } from '../types.ts';

/** The ids a batch of `kind` would remove: closed cases last changed, off-roll pupils born, letters made, audit rows written before `before`. */
const CANDIDATES: Record<RetentionKind, string> = {
  cases: `SELECT id AS key FROM cases WHERE status = 'closed' AND updated_at < $1 ORDER BY id COLLATE "C"`,
  pupils: `SELECT school_id || '/' || upn AS key FROM pupils p
            WHERE NOT on_roll AND date_of_birth < $1::date
              AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.school_id = p.school_id AND c.upn = p.upn AND c.status = 'open')
            ORDER BY school_id || '/' || upn COLLATE "C"`,
  letters: `SELECT id AS key FROM messages m WHERE created_at < $1
             AND (case_id IS NULL OR EXISTS (SELECT 1 FROM cases c WHERE c.school_id = m.school_id AND c.id = m.case_id AND c.status = 'closed'))
             ORDER BY id COLLATE "C"`,
  audit: `SELECT seq::text AS key FROM audit_log WHERE at < $1 ORDER BY seq`,
};

export async function countExpired(pool: pg.Pool, kind: RetentionKind, before: Date): Promise<number> {
  const rows = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${CANDIDATES[kind]}) expired`, [before]);
  return Number(rows.rows[0]?.n ?? 0);
}

/** Everything a closed case owns goes with it, by (school, case); audit entries about it follow the audit log's own rule. */
async function deleteCases(client: pg.PoolClient, cases: { id: string; school_id: string }[]): Promise<void> {
  const keys = [cases.map((c) => c.school_id), cases.map((c) => c.id)];
  for (const table of ['case_timeline', 'case_timers', 'outbox', 'tasks', 'messages']) {
    await client.query(
      `DELETE FROM ${table} t USING unnest($1::text[], $2::text[]) AS k(school_id, case_id) WHERE t.school_id = k.school_id AND t.case_id = k.case_id`,
      keys,
    );
  }
  await client.query(
    `DELETE FROM cases c USING unnest($1::text[], $2::text[]) AS k(school_id, id) WHERE c.school_id = k.school_id AND c.id = k.id AND c.status = 'closed'`,
    keys,
  );
}

/** Removes up to `limit` expired rows of `kind` in one transaction; 0 means nothing is left to do. */
export async function purgeExpiredBatch(pool: pg.Pool, kind: RetentionKind, before: Date, limit: number): Promise<number> {
  return inTransaction(pool, async (client) => {
    // Re-selected inside the transaction with row locks, so a case reopened meanwhile is skipped.
    const keys = (await client.query<{ key: string }>(`${CANDIDATES[kind]} LIMIT $2`, [before, limit])).rows.map((r) => r.key);
    if (keys.length === 0) return 0;
    if (kind === 'cases') {
      // Locked, and still closed: a batch running twice at once deletes each case once.
      const locked = await client.query<{ id: string; school_id: string }>(
        `SELECT id, school_id FROM cases WHERE id = ANY($1::text[]) AND status = 'closed' FOR UPDATE`,
        [keys],
      );
      await deleteCases(client, locked.rows);
      return locked.rows.length;
    } else if (kind === 'letters') {
      await client.query(`DELETE FROM messages WHERE id = ANY($1::text[])`, [keys]);
    } else if (kind === 'audit') {
      await client.query(`DELETE FROM audit_log WHERE seq = ANY($1::bigint[])`, [keys]);
    } else {
      let erased = 0;
      for (const key of keys) {
        const slash = key.indexOf('/');
        // A case opened since the selection keeps the pupil: skipped, not an error.
        if ((await lockedPupil(client, key.slice(0, slash), key.slice(slash + 1))) !== 'free') continue;
        await erasePupilRows(client, key.slice(0, slash), key.slice(slash + 1));
        erased++;
      }
      return erased;
    }
    return keys.length;
  });
}

/** A pupil and everything held about them except the audit log: closed cases, register, contacts. */
export async function erasePupilRows(client: pg.PoolClient, schoolId: string, upn: string): Promise<void> {
  const cases = await client.query<{ id: string; school_id: string; status: string }>(
    `SELECT id, school_id, status FROM cases WHERE school_id = $1 AND upn = $2 FOR UPDATE`,
    [schoolId, upn],
  );
  if (cases.rows.some((c) => c.status === 'open')) throw new Error('pupil has an open case');
  await deleteCases(client, cases.rows);
  for (const table of ['mark_weeks', 'mark_amendments', 'contacts']) {
    await client.query(`DELETE FROM ${table} WHERE school_id = $1 AND upn = $2`, [schoolId, upn]);
  }
  await client.query(`DELETE FROM pupils WHERE school_id = $1 AND upn = $2`, [schoolId, upn]);
}

/** Locks the pupil row (no case can be opened for them meanwhile) and says whether they may go. */
async function lockedPupil(client: pg.PoolClient, schoolId: string, upn: string): Promise<'free' | 'open-case' | 'missing'> {
  const pupil = await client.query('SELECT 1 FROM pupils WHERE school_id = $1 AND upn = $2 FOR UPDATE', [schoolId, upn]);
  if (pupil.rowCount === 0) return 'missing';
  const open = await client.query(`SELECT 1 FROM cases WHERE school_id = $1 AND upn = $2 AND status = 'open'`, [schoolId, upn]);
  return (open.rowCount ?? 0) > 0 ? 'open-case' : 'free';
}

export function erasePupil(pool: pg.Pool, schoolId: string, upn: string): Promise<'erased' | 'open-case' | 'missing'> {
  return inTransaction(pool, async (client) => {
    const state = await lockedPupil(client, schoolId, upn);
    if (state !== 'free') return state;
    await erasePupilRows(client, schoolId, upn);
    return 'erased';
  });
}

export async function heldMessageIdsBefore(pool: pg.Pool, before: Date): Promise<string[]> {
  return (await pool.query<{ message_id: string }>('SELECT message_id FROM messages WHERE created_at < $1', [before])).rows.map((r) => r.message_id);
}

import type { CaseAssignment, StaffIdentity, StaffToken, StaffUpdate, TokenRedemption, User } from '../types.ts';
import { PgBase } from './base.ts';
import { inTransaction } from './pool.ts';
import { insertTimeline } from './case-writes.ts';
import { toUser, type UserRow } from './rows.ts';
import { assignedEntry } from '../assigned-entry.ts';

interface TokenRow {
  hash: string;
  user_id: string;
  purpose: StaffToken['purpose'];
  created_at: Date;
  created_by: string;
  expires_at: Date;
  used_at: Date | null;
}
const toToken = (r: TokenRow): StaffToken => ({
  hash: r.hash,
  userId: r.user_id,
  purpose: r.purpose,
  createdAt: r.created_at,
  createdBy: r.created_by,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

interface IdentityRow {
  issuer: string;
  subject: string;
  user_id: string;
  linked_at: Date;
}
const toIdentity = (r: IdentityRow): StaffIdentity => ({ issuer: r.issuer, subject: r.subject, userId: r.user_id, linkedAt: r.linked_at });

/** Taken by every write that could leave no active admin, so two such writes never both pass the check. */
const ADMIN_GUARD = "SELECT pg_advisory_xact_lock(hashtext('staff.admins'))";

/** Staff accounts' links, single sign-on subjects and case assignments. */
export abstract class PgStaff extends PgBase {
  async createStaffToken(token: Omit<StaffToken, 'usedAt'>) {
    await inTransaction(this.pool, async (client) => {
      await client.query('DELETE FROM staff_tokens WHERE user_id = $1 AND used_at IS NULL', [token.userId]);
      await client.query('INSERT INTO staff_tokens (hash, user_id, purpose, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        token.hash,
        token.userId,
        token.purpose,
        token.createdAt,
        token.createdBy,
        token.expiresAt,
      ]);
    });
  }

  async getStaffToken(hash: string) {
    const row = (await this.pool.query<TokenRow>('SELECT * FROM staff_tokens WHERE hash = $1', [hash])).rows[0];
    return row ? toToken(row) : null;
  }

  async redeemStaffToken(hash: string, at: Date, passwordHash: string): Promise<TokenRedemption> {
    return inTransaction(this.pool, async (client) => {
      // The row lock makes a second use of the same link wait, then see it used.
      const token = (await client.query<TokenRow>('SELECT * FROM staff_tokens WHERE hash = $1 FOR UPDATE', [hash])).rows[0];
      if (!token) return { status: 'missing' };
      if (token.used_at !== null) return { status: 'used' };
      if (token.expires_at <= at) return { status: 'expired' };
      const user = (await client.query<UserRow>('UPDATE users SET password_hash = $2 WHERE id = $1 AND active RETURNING *', [token.user_id, passwordHash])).rows[0];
      if (!user) return { status: 'inactive' };
      await client.query('UPDATE staff_tokens SET used_at = $2 WHERE hash = $1', [hash, at]);
      return { status: 'done', user: toUser(user) };
    });
  }

  async listPendingStaffTokens(userIds: string[], at: Date) {
    const rows = await this.pool.query<TokenRow>(
      'SELECT * FROM staff_tokens WHERE user_id = ANY($1::text[]) AND used_at IS NULL AND expires_at > $2 ORDER BY created_at, hash',
      [userIds, at],
    );
    return rows.rows.map(toToken);
  }

  async updateStaffUser(user: User): Promise<StaffUpdate> {
    return inTransaction(this.pool, async (client) => {
      await client.query(ADMIN_GUARD);
      const before = (await client.query<{ role: string; active: boolean }>('SELECT role, active FROM users WHERE id = $1', [user.id])).rows[0];
      if (!before) return 'missing';
      await client.query(`UPDATE users SET name = $2, role = $3, school_id = $4, trust_id = $5, local_authority = $6, active = $7 WHERE id = $1`, [
        user.id,
        user.name,
        user.role,
        user.schoolId,
        user.trustId,
        user.localAuthority,
        user.active,
      ]);
      const wasAdmin = before.role === 'admin' && before.active;
      if (wasAdmin && (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active")).rows[0]!.n === 0) throw new LastAdmin();
      if (!user.active) {
        await client.query('DELETE FROM auth_sessions WHERE user_id = $1', [user.id]);
        await client.query('DELETE FROM staff_tokens WHERE user_id = $1 AND used_at IS NULL', [user.id]);
      }
      return 'done' as const;
    }).catch((error: unknown) => {
      // Thrown so the transaction rolls back: nothing of a refused change is written.
      if (error instanceof LastAdmin) return 'last-admin' as const;
      throw error;
    });
  }

  async deleteUserSessions(userId: string) {
    return (await this.pool.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId])).rowCount ?? 0;
  }

  async linkIdentity(identity: StaffIdentity) {
    const inserted = await this.pool.query(
      'INSERT INTO staff_identities (issuer, subject, user_id, linked_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [identity.issuer, identity.subject, identity.userId, identity.linkedAt],
    );
    if (inserted.rowCount === 1) return true;
    const same = await this.pool.query('SELECT 1 FROM staff_identities WHERE issuer = $1 AND subject = $2 AND user_id = $3', [identity.issuer, identity.subject, identity.userId]);
    return same.rowCount === 1;
  }

  async findIdentity(issuer: string, subject: string) {
    const row = (await this.pool.query<IdentityRow>('SELECT * FROM staff_identities WHERE issuer = $1 AND subject = $2', [issuer, subject])).rows[0];
    return row ? toIdentity(row) : null;
  }

  async listIdentities(userIds: string[]) {
    return (await this.pool.query<IdentityRow>('SELECT * FROM staff_identities WHERE user_id = ANY($1::text[]) ORDER BY user_id', [userIds])).rows.map(toIdentity);
  }

  async recordSignIn(userId: string, at: Date) {
    await this.pool.query('INSERT INTO staff_sign_ins (user_id, at) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET at = GREATEST(staff_sign_ins.at, EXCLUDED.at)', [userId, at]);
  }

  async listLastSignIns(userIds: string[]) {
    const rows = await this.pool.query<{ user_id: string; at: Date }>('SELECT user_id, at FROM staff_sign_ins WHERE user_id = ANY($1::text[]) ORDER BY user_id', [userIds]);
    return rows.rows.map((r) => ({ userId: r.user_id, at: r.at }));
  }

  async assignCases(assignment: CaseAssignment) {
    this.queueTotals.clear();
    return inTransaction(this.pool, async (client) => {
      const conditions = ["c.status = 'open'"];
      const params: unknown[] = [];
      const arg = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
      if (assignment.caseIds) conditions.push(`c.id = ANY(${arg(assignment.caseIds, 'text[]')})`);
      if (assignment.from !== undefined) conditions.push(`a.user_id = ${arg(assignment.from, 'text')}`);
      if (assignment.schoolIds) conditions.push(`c.school_id = ANY(${arg(assignment.schoolIds, 'text[]')})`);
      conditions.push(`a.user_id IS DISTINCT FROM ${arg(assignment.to, 'text')}`);
      // Locks the cases, so two reassignments of one case are applied one after the other.
      const cases = (
        await client.query<{ id: string; school_id: string; state: string; previous: string | null }>(
          `SELECT c.id, c.school_id, c.state, a.user_id AS previous FROM cases c LEFT JOIN case_assignments a ON a.case_id = c.id
            WHERE ${conditions.join(' AND ')} ORDER BY c.id FOR UPDATE OF c`,
          params,
        )
      ).rows;
      if (cases.length === 0) return [];
      const ids = cases.map((c) => c.id);
      await client.query('DELETE FROM case_assignments WHERE case_id = ANY($1::text[])', [ids]);
      if (assignment.to !== null) {
        await client.query(
          'INSERT INTO case_assignments (case_id, user_id, assigned_at, assigned_by) SELECT unnest($1::text[]), $2, $3, $4',
          [ids, assignment.to, assignment.at, assignment.actor],
        );
      }
      await insertTimeline(
        client,
        cases.map((c) => ({ schoolId: c.school_id, caseId: c.id, entry: assignedEntry(assignment, c.state, c.previous) })),
      );
      return ids;
    });
  }

  async listCaseAssignees(caseIds: string[]) {
    const rows = await this.pool.query<{ case_id: string; user_id: string }>('SELECT case_id, user_id FROM case_assignments WHERE case_id = ANY($1::text[]) ORDER BY case_id', [caseIds]);
    return rows.rows.map((r) => ({ caseId: r.case_id, userId: r.user_id }));
  }
}

class LastAdmin extends Error {}

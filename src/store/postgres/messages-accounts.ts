import { listMessagePage } from './message-page.ts';
import { toMessage, toUser, toAuthSession, toAudit, type UserRow, type AuthSessionRow, type AuditRow, type MessageRow } from './rows.ts';
import { type NewMessage, type MessageUpdate, type User, type AuthSession, type MessagePageFilter, type AuditEntry, type AuditFilter, type UserFilter } from '../types.ts';
import { PgBase } from './base.ts';

/** Letters and emails as made and sent, staff accounts, sessions, sign-in failures and the audit log. */
export abstract class PgMessagesAccounts extends PgBase {
  async createMessage(m: NewMessage) {
    // Before, and again after: a total counted while the insert was in flight may predate it.
    this.messageTotals.clear();
    const result = await this.pool.query(
      `INSERT INTO messages (id, effect_id, case_id, school_id, template, kind, recipient_role, recipient_name, recipient_email,
         subject, message_id, status, pdf, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`,
      [m.id, m.effectId, m.caseId, m.schoolId, m.template, m.kind, m.recipientRole, m.recipientName, m.recipientEmail,
        m.subject, m.messageId, m.status, m.pdf, m.createdAt],
    );
    this.messageTotals.clear();
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
    return listMessagePage(this.pool, filter, this.messageTotals);
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

  async listUsers(filter: UserFilter = {}) {
    const rows = await this.pool.query<UserRow>(
      `SELECT * FROM users WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR school_id = $2)
         AND ($3::text IS NULL OR trust_id = $3) AND ($4::boolean IS NULL OR active = $4) ORDER BY name, id`,
      [filter.role ?? null, filter.schoolId ?? null, filter.trustId ?? null, filter.active ?? null],
    );
    return rows.rows.map(toUser);
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
}

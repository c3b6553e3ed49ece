import type pg from 'pg';
import type { MessagePageFilter, MessageSummary } from '../types.ts';
import { toMessage, type MessageRow } from './rows.ts';

/** The columns of a list: every one but the bodies (a letter's PDF, an email as sent). */
const LISTED = `id, effect_id, case_id, school_id, template, kind, recipient_role, recipient_name, recipient_email,
  subject, message_id, status, transport, error, created_at, sent_at, pdf IS NOT NULL AS has_pdf`;

/** A page of the messages of some schools and some cases, newest first, counted in the same read. */
export async function listMessagePage(pool: pg.Pool, filter: MessagePageFilter): Promise<{ total: number; messages: MessageSummary[] }> {
  const { rows } = await pool.query<Omit<MessageRow, 'raw' | 'pdf'> & { has_pdf: boolean; total: number }>(
    `SELECT ${LISTED}, count(*) OVER ()::int AS total FROM messages
      WHERE school_id = ANY($1::text[]) OR case_id = ANY($2::text[])
      ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
    [filter.schoolIds, filter.caseIds, filter.limit, filter.offset],
  );
  // Past the last page the window count is not there: count on its own.
  const total =
    rows[0]?.total ??
    (filter.offset === 0
      ? 0
      : (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE school_id = ANY($1::text[]) OR case_id = ANY($2::text[])', [filter.schoolIds, filter.caseIds])).rows[0]!.n);
  return {
    total,
    messages: rows.map(({ has_pdf, total: _total, ...row }) => {
      const { raw: _raw, pdf: _pdf, ...message } = toMessage({ ...row, raw: null, pdf: null });
      return { ...message, hasPdf: has_pdf };
    }),
  };
}

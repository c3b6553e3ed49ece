import type pg from 'pg';
import type { MessagePageFilter, MessageSummary } from '../types.ts';
import { toMessage, type MessageRow } from './rows.ts';

/** The columns of a list: every one but the bodies (a letter's PDF, an email as sent). */
const LISTED = `id, effect_id, case_id, school_id, template, kind, recipient_role, recipient_name, recipient_email,
  subject, message_id, status, transport, error, created_at, sent_at, pdf IS NOT NULL AS has_pdf`;

/** How long a process reuses the outbox's total for the same schools and cases. */
export const MESSAGE_TOTAL_CACHE_MS = 2_000;

/**
 * Totals kept briefly, by schools and cases: counting every message of a trust's 20 schools was
 * most of an outbox page. This process's own new messages drop them at once (`clear`), another
 * process's show within MESSAGE_TOTAL_CACHE_MS.
 */
export type MessageTotals = Map<string, { n: number; at: number }>;

/**
 * A page of the messages of some schools and some cases, newest first. Each school's newest
 * `offset + limit` are walked through its (school_id, created_at) index and merged, as the work
 * queue walks its schools, so a page reads its rows and not the trust's whole outbox.
 */
export async function listMessagePage(pool: pg.Pool, filter: MessagePageFilter, totals: MessageTotals): Promise<{ total: number; messages: MessageSummary[] }> {
  const key = JSON.stringify([[...filter.schoolIds].sort(), [...filter.caseIds].sort()]);
  const kept = totals.get(key);
  const count = async () => {
    if (kept && performance.now() - kept.at < MESSAGE_TOTAL_CACHE_MS) return kept.n;
    const at = performance.now();
    const { n } = (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE school_id = ANY($1::text[]) OR case_id = ANY($2::text[])`,
        [filter.schoolIds, filter.caseIds],
      )
    ).rows[0]!;
    // A case page counts its own letters too: entries past their time go before the map grows.
    if (totals.size >= 1000) for (const [other, entry] of totals) if (at - entry.at >= MESSAGE_TOTAL_CACHE_MS) totals.delete(other);
    totals.set(key, { n, at });
    return n;
  };
  const [{ rows }, total] = await Promise.all([
    pool.query<Omit<MessageRow, 'raw' | 'pdf'> & { has_pdf: boolean }>(
      `WITH picked AS (
         SELECT m.id, m.created_at FROM unnest($1::text[]) s(id)
           CROSS JOIN LATERAL (SELECT id, created_at FROM messages WHERE school_id = s.id ORDER BY created_at DESC, id DESC LIMIT $3::int + $4::int) m
         UNION
         SELECT id, created_at FROM (SELECT id, created_at FROM messages WHERE case_id = ANY($2::text[]) ORDER BY created_at DESC, id DESC LIMIT $3::int + $4::int) c
         ORDER BY created_at DESC, id DESC LIMIT $3::int OFFSET $4::int)
       SELECT ${LISTED} FROM messages WHERE id IN (SELECT id FROM picked) ORDER BY created_at DESC, id DESC`,
      [filter.schoolIds, filter.caseIds, filter.limit, filter.offset],
    ),
    count(),
  ]);
  return {
    total,
    messages: rows.map(({ has_pdf, ...row }) => {
      const { raw: _raw, pdf: _pdf, ...message } = toMessage({ ...row, raw: null, pdf: null });
      return { ...message, hasPdf: has_pdf };
    }),
  };
}

import { randomUUID } from 'node:crypto';
import type { AuditEntry, Store } from '../store/types.ts';

export interface AuditTarget {
  schoolId?: string | null;
  caseId?: string | null;
  upn?: string | null;
}

export type AuditRecorder = (actor: string, action: string, target: AuditTarget, detail?: Record<string, unknown>) => Promise<void>;

/** The longest text an audit entry keeps in one field of its detail; a client-supplied header or note can be any size. */
export const AUDIT_TEXT_MOST = 500;

/** The detail as it is kept: every string cut to AUDIT_TEXT_MOST characters, at any depth. */
export function boundDetail(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > AUDIT_TEXT_MOST ? `${value.slice(0, AUDIT_TEXT_MOST)}…` : value;
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => boundDetail(item, depth + 1));
  return Object.fromEntries(Object.entries(value).slice(0, 50).map(([key, item]) => [key, boundDetail(item, depth + 1)]));
}

/** More than this waits for the next insert, so one statement stays a reasonable size. */
const MOST_PER_INSERT = 500;

interface Waiting {
  entry: AuditEntry;
  written(): void;
  failed(error: unknown): void;
}

/**
 * Every read of a case or pupil and every change goes through here: who, when, what.
 *
 * Entries recorded while an insert is in flight go together in the next one (group commit): under
 * load one durable commit serves many requests rather than each paying its own. Each caller still
 * waits until its own entry is committed, so nothing is answered before it is audited, and each
 * entry keeps the time it was recorded at.
 */
export function auditRecorder(store: Pick<Store, 'appendAudit'>, now: () => Date): AuditRecorder {
  let waiting: Waiting[] = [];
  let inserting = false;

  async function insert(batch: Waiting[]) {
    try {
      await store.appendAudit(batch.map((item) => item.entry));
      for (const item of batch) item.written();
    } catch (error) {
      if (batch.length === 1) return batch[0]!.failed(error);
      // One entry the database refuses must not fail the requests that shared its insert.
      await Promise.all(batch.map((item) => insert([item])));
    }
  }

  async function drain() {
    inserting = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MOST_PER_INSERT);
      waiting = waiting.slice(MOST_PER_INSERT);
      await insert(batch);
    }
    inserting = false;
  }

  return (actor, action, target, detail = {}) =>
    new Promise<void>((written, failed) => {
      const entry = { id: randomUUID(), at: now(), actor, action, schoolId: target.schoolId ?? null, caseId: target.caseId ?? null, upn: target.upn ?? null, detail: boundDetail(detail) };
      waiting.push({ entry, written, failed });
      if (!inserting) void drain();
    });
}

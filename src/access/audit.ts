import { randomUUID } from 'node:crypto';
import type { Store } from '../store/types.ts';

export interface AuditTarget {
  schoolId?: string | null;
  caseId?: string | null;
  upn?: string | null;
}

export type AuditRecorder = (actor: string, action: string, target: AuditTarget, detail?: Record<string, unknown>) => Promise<void>;

/** Every read of a case or pupil and every change goes through here: who, when, what. */
export function auditRecorder(store: Store, now: () => Date): AuditRecorder {
  return (actor, action, target, detail = {}) =>
    store.appendAudit([
      { id: randomUUID(), at: now(), actor, action, schoolId: target.schoolId ?? null, caseId: target.caseId ?? null, upn: target.upn ?? null, detail },
    ]);
}

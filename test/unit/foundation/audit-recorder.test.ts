import { describe, it, expect } from 'vitest';
import { AUDIT_TEXT_MOST, auditRecorder, boundDetail } from '../../../src/access/audit.ts';
import type { AuditEntry } from '../../../src/store/types.ts';

/** A store whose inserts wait until the test lets them finish, and which refuses actions named `refused`. */
function slowStore() {
  const inserts: AuditEntry[][] = [];
  const pending: (() => void)[] = [];
  return {
    inserts,
    finishOne: () => pending.shift()?.(),
    appendAudit: (entries: AuditEntry[]) =>
      new Promise<void>((resolve, reject) => {
        pending.push(() => {
          if (entries.some((entry) => entry.action === 'refused')) return reject(new Error('refused'));
          inserts.push(entries);
          resolve();
        });
      }),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const at = new Date('2026-01-05T09:00:00Z');

describe('audit recorder', () => {
  it('when entries are recorded while an insert is in flight, then they go together in the next one, and each caller waits for its own', async () => {
    const store = slowStore();
    const audit = auditRecorder(store, () => at);
    const done: string[] = [];
    const first = audit('u1', 'case.read', { caseId: 'c1' }).then(() => done.push('c1'));
    const later = ['c2', 'c3', 'c4'].map((caseId) => audit('u1', 'case.read', { caseId }).then(() => done.push(caseId)));
    await settle();
    expect(done).toEqual([]);
    store.finishOne();
    await first;
    expect(done).toEqual(['c1']);
    store.finishOne();
    await Promise.all(later);
    expect(store.inserts.map((batch) => batch.map((entry) => entry.caseId))).toEqual([['c1'], ['c2', 'c3', 'c4']]);
    expect(store.inserts[1]![0]).toMatchObject({ actor: 'u1', action: 'case.read', at, schoolId: null, upn: null, detail: {} });
  });

  it('when the database refuses one entry of a batch, then the others are still written and only its caller fails', async () => {
    const store = slowStore();
    const audit = auditRecorder(store, () => at);
    const outcomes = Promise.allSettled([audit('u1', 'case.read', {}), audit('u1', 'pupil.read', { upn: 'A1' }), audit('u1', 'refused', {})]);
    for (let i = 0; i < 4; i++) {
      store.finishOne();
      await settle();
    }
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(store.inserts.flat().map((entry) => entry.action)).toEqual(['case.read', 'pupil.read']);
  });

  it('when a detail holds long or many values, then each text is cut and lists and objects are bounded, at any depth', () => {
    const long = 'x'.repeat(10_000);
    const bounded = boundDetail({ userAgent: long, nested: { list: Array.from({ length: 500 }, () => long) }, at: 5 }) as { userAgent: string; nested: { list: string[] }; at: number };
    expect(bounded.userAgent).toHaveLength(AUDIT_TEXT_MOST + 1);
    expect(bounded.nested.list).toHaveLength(100);
    expect(bounded.nested.list.every((item) => item.length === AUDIT_TEXT_MOST + 1)).toBe(true);
    expect(bounded.at).toBe(5);
    expect(JSON.stringify(boundDetail({ a: 'short' }))).toBe('{"a":"short"}');
  });
});

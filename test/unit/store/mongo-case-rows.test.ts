// The MongoDB documents of a case's timeline and timers carry the case's school, the shard key
// (docs/scaling.md); no mongod runs in this suite, so the builders are checked on their own.
import { describe, expect, it } from 'vitest';
import { timelineDocs } from '../../../src/store/mongo/base.ts';
import { timerWrites } from '../../../src/store/mongo/cases.ts';

const at = new Date('2025-01-20T10:00:00Z');

describe('MongoDB case rows: the school on every timeline entry and timer', () => {
  it('when timeline entries are built for a case, then each carries the case’s school and id, in order', () => {
    const docs = timelineDocs({ _id: 'case-1', schoolId: 'north' }, [
      { id: 'e1', at, actor: 'system:evaluator', type: 'opened', from: null, to: 'stage1', evidence: { why: 1 } },
      { id: 'e2', at, actor: 'user:1', type: 'note', from: 'stage1', to: 'stage1', evidence: null },
    ], (i) => 10 + i);
    expect(docs.map((d) => [d._id, d.schoolId, d.caseId, d.seq])).toEqual([
      ['e1', 'north', 'case-1', 10],
      ['e2', 'north', 'case-1', 11],
    ]);
  });

  it('when timers are set for a case, then each upsert finds it by case and name and sets the school with the timer', () => {
    const writes = timerWrites({ _id: 'case-1', schoolId: 'north' }, [{ name: 'review', timerId: 't1', dueAt: at, event: { type: 'REVIEW' } }]);
    expect(writes).toEqual([
      {
        updateOne: {
          // Not matched on the school: a timer set before documents carried it is still the one replaced.
          filter: { caseId: 'case-1', name: 'review' },
          update: { $set: { schoolId: 'north', timerId: 't1', dueAt: at, event: JSON.stringify({ type: 'REVIEW' }) } },
          upsert: true,
        },
      },
    ]);
  });
});

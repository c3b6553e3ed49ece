import { describe, it, expect } from 'vitest';
import {
  caseListPlan,
  closeStageTasks,
  commitUpdate,
  dueKeyOf,
  dueKeyWrites,
  NO_TASK_DUE,
  notifyRecipient,
  sideCounterUpdate,
  sideSeq,
  stagesOf,
  transitionSeq,
} from '../../../src/store/mongo/case-fields.ts';

describe('MongoDB case fields: the stage a case is at', () => {
  it('when a case at stage 2 last met at stage 1b, then its stages are its state segments and its own stage only', () => {
    const snapshot = { value: 'support', context: { stage: 'stage2', lastMeeting: { stage: 'stage1b' } } };
    expect(stagesOf('support.meeting', snapshot)).toEqual(['support', 'meeting', 'stage2']);
    expect(stagesOf('penaltyNotice.reducedRateWindow', null)).toEqual(['penaltyNotice', 'reducedRateWindow']);
    expect(stagesOf('stage1a', { context: { stage: 3 } })).toEqual(['stage1a']);
  });

  it('when the queue is filtered by stage, then it is one exact match on the indexed stages, with no pattern of any kind', () => {
    const plan = caseListPlan({ schoolIds: ['s1'], stage: 'stage1b' });
    expect(plan.filter).toEqual({ schoolId: { $in: ['s1'] }, stages: 'stage1b' });
    // Characters are matched literally, not stripped or read as a pattern.
    expect(caseListPlan({ stage: 'stage.*' }).filter).toEqual({ stages: 'stage.*' });
    expect(JSON.stringify(caseListPlan({ stage: 'x', state: 'closed' }))).not.toContain('$regex');
  });
});

describe('MongoDB case fields: open tasks and the due-first order', () => {
  it('when cases are listed due first, then they sort on the due key (cases with no open task carry a key after every date)', () => {
    expect(caseListPlan({ order: 'dueFirst' }).sort).toEqual({ dueKey: 1, updatedAt: -1, _id: 1 });
    expect(caseListPlan({}).sort).toEqual({ updatedAt: -1, _id: 1 });
    expect('9999-12-31' < NO_TASK_DUE).toBe(true);
    expect(dueKeyOf([])).toBe(NO_TASK_DUE);
    expect(dueKeyOf(['2025-03-01', '2025-01-31', '2025-02-01'])).toBe('2025-01-31');
  });

  it('when the queue asks for an open task, then the due key answers it without reading tasks; only an assignee reads one person’s tasks', () => {
    expect(caseListPlan({ openTask: {} }).filter).toEqual({ dueKey: { $lt: NO_TASK_DUE } });
    expect(caseListPlan({ openTask: { dueBefore: '2025-02-01' } }).filter).toEqual({ dueKey: { $lte: '2025-02-01' } });
    const byAssignee = caseListPlan({ openTask: { assignee: 'user:7', dueBefore: '2025-02-01' } });
    expect(byAssignee.taskAssignee).toEqual({ assignee: 'user:7', dueBefore: '2025-02-01' });
    expect(byAssignee.filter).toEqual({});
    expect(() => caseListPlan({ openTask: { dueBefore: '2025-02-30' } })).toThrow(/not a calendar date/);
  });

  it('when tasks change, then only cases whose due key differs are written', () => {
    expect(dueKeyWrites(['c1', 'c2', 'c1'], new Map([['c1', '2025-01-31']]))).toEqual([
      { updateOne: { filter: { _id: 'c1', dueKey: { $ne: '2025-01-31' } }, update: { $set: { dueKey: '2025-01-31' } } } },
      { updateOne: { filter: { _id: 'c2', dueKey: { $ne: NO_TASK_DUE } }, update: { $set: { dueKey: NO_TASK_DUE } } } },
    ]);
  });

  it('when a caller passes an operator where a value belongs, then it becomes inert text', () => {
    const plan = caseListPlan({ schoolIds: [{ $ne: null } as unknown as string], upn: { $gt: '' } as unknown as string });
    expect(plan.filter).toEqual({ schoolId: { $in: ['[object Object]'] }, upn: '[object Object]' });
  });
});

describe('MongoDB case writes: one bulk operation per transition, timeline order', () => {
  it('when a transition is written, then its update is guarded by the expected version and marked with the page write', () => {
    const op = commitUpdate(
      { caseId: 'c1', expectedVersion: 3, state: 'stage2', status: 'open', snapshot: { context: { stage: 'stage2', lastMeeting: { stage: 'stage1b' } } }, at: new Date('2025-01-10T09:00:00Z'), timeline: [], effects: [] },
      'w1',
    );
    expect(op.updateOne.filter).toEqual({ _id: 'c1', version: 3 });
    expect(op.updateOne.update.$inc).toEqual({ version: 1 });
    expect(op.updateOne.update.$set).toMatchObject({ writeId: 'w1', state: 'stage2', stages: ['stage2'], status: 'open' });
    expect(() => commitUpdate({ caseId: 'c1', expectedVersion: 3, state: 's', status: 'opened' as 'open', snapshot: null, at: new Date(), timeline: [], effects: [] }, 'w')).toThrow(
      /not a case status/,
    );
  });

  it('when entries are written by transitions and beside them, then the order is the transitions’ and each side entry follows the version it saw', () => {
    const order = [transitionSeq(1, 0), transitionSeq(1, 1), sideSeq(1, 1), sideSeq(1, 2), transitionSeq(2, 0), sideSeq(2, 1), transitionSeq(3, 0)];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
    expect(Number.isSafeInteger(sideSeq(1_000_000, 400_000))).toBe(true);
  });

  it('when a side counter is taken, then it restarts at each version of the case', () => {
    expect(sideCounterUpdate(4, 2)).toEqual([{ $set: { n: { $cond: [{ $eq: ['$version', 4] }, { $add: [{ $ifNull: ['$n', 0] }, 2] }, 2] }, version: 4 } }]);
  });

  it('when a notify effect is stored, then its recipient is kept beside the payload for the query', () => {
    expect(notifyRecipient({ kind: 'notify', payload: { to: 'dsl@school.example' } })).toBe('dsl@school.example');
    expect(notifyRecipient({ kind: 'sendLetter', payload: { to: 'x' } })).toBeNull();
    expect(notifyRecipient({ kind: 'notify', payload: null })).toBeNull();
  });
});

describe('MongoDB case writes: the tasks of a stage the case has left', () => {
  const at = new Date('2024-11-04T18:00:00Z');
  const close = { idPrefixes: ['task:c1:stage1a.', 'task:c1:(odd)+'], keepKinds: ['face-to-face'], note: 'closed: the case moved to Stage 2', by: 'system:workflow' };

  it('when a case moves on, then its open tasks with the stage’s id prefixes close, sparing the kinds about the whole case', () => {
    const { tasks } = closeStageTasks('c1', close, at);
    const filter = tasks!.updateMany.filter as { _id: { $in: RegExp[] }; kind: unknown; caseId: string; status: string };
    expect(filter).toMatchObject({ caseId: "c1", status: "open", kind: { $nin: ["face-to-face"] } });
    expect(filter._id).toMatchObject({ $nin: [] });
    const [stage, odd] = filter._id.$in;
    // A prefix is matched literally from the start: its dots and brackets are not a pattern.
    expect(stage!.test('task:c1:stage1a.home-visit')).toBe(true);
    expect(stage!.test('task:c1:stage1aXhome-visit')).toBe(false);
    expect(stage!.test('x-task:c1:stage1a.home-visit')).toBe(false);
    expect(odd!.test('task:c1:(odd)+1')).toBe(true);
    expect(tasks!.updateMany.update).toEqual({ $set: { status: 'cancelled', completedBy: 'system:workflow', completedAt: at, note: close.note } });
  });

  it('when a case moves on, then its task-making effects not yet run are cancelled too, and with no prefixes no task is touched', () => {
    const { effects, tasks } = closeStageTasks('c1', { ...close, idPrefixes: [] }, at);
    expect(effects.updateMany.filter).toEqual({ caseId: 'c1', kind: 'createTask', status: { $in: ['pending', 'waiting'] }, 'payload.kind': { $nin: ['face-to-face'] } });
    expect(effects.updateMany.update.$set).toMatchObject({ status: 'cancelled', lastError: close.note });
    expect(tasks).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { CaseRunner } from '../../../src/simulator/case-runner.ts';
import { calendarFor } from '../../../workflows/index.ts';
import { workflow } from '../../../workflows/national.ts';
import { effectTypes, evidence, fire } from '../machines/support.ts';

// The generic path of DOMAIN "Escalation", on Coventry's calendar (the defaults have none).
const calendar = calendarFor(workflow, 'coventry');

describe('DfE national defaults', () => {
  it('when concern persists, then Stage 1a, Stage 1b with a meeting, and Stage 2 with the LA, each after 4 school weeks', () => {
    const runner = new CaseRunner(workflow, calendar, { caseId: 'n-1', upn: 'N1', parents: [{ id: 'mum' }] });
    runner.send({ type: 'OPEN', at: '2024-09-09', evidence: evidence(94) });
    expect(runner.timer('review')?.dueDate).toBe('2024-10-07');
    fire(runner, 'review', evidence(93, -1));
    expect(runner.state).toBe('open.stage1b');
    const stage2 = fire(runner, 'review', evidence(92, -1));
    expect(runner.state).toBe('open.stage2');
    expect(effectTypes(stage2)).toContain('notify:national/case-discussion');
  });

  it('when the policy is read, then every stage, route and rule cites its seed section', () => {
    const { policy } = workflow;
    const citations = [policy.cites, policy.opening.cites, ...policy.stages.map((stage) => stage.cites), policy.noticeToImprove.cites];
    expect(citations.every((c) => /^\d{3}_[0-9a-f]{16}\.txt$/.test(c.seed) && c.section.length > 0)).toBe(true);
  });
});

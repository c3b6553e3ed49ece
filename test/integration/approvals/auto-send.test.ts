import { describe, it, expect } from 'vitest';
import { definePolicy } from '../../../src/domain/policy.ts';
import { approvalGate } from '../../../src/approvals/gate.ts';
import { nationalDefaults } from '../../../workflows/national.ts';
import { WORKFLOWS } from '../../../workflows/index.ts';

describe('auto-send: which letters go without a person', () => {
  it('when a workflow lists the formal notice of prosecution as auto-send, then the policy is refused', () => {
    expect(() => definePolicy(nationalDefaults, { autoSend: ['national/prosecution-formal-notice'] })).toThrow(/cannot be sent without approval/);
  });

  it('when any workflow proposes a letter or a legal step, then only its auto-send letters pass the gate, and every legal step needs the champion', () => {
    for (const workflow of Object.values(WORKFLOWS)) {
      const { policy } = workflow;
      const gate = approvalGate(policy, null);
      const letter = (template: string) => gate({ type: 'sendLetter', params: { caseId: 'c', template, to: 'parents' } });
      for (const stage of policy.stages.filter((s) => s.letter)) {
        expect(letter(stage.letter!)?.requires, `${workflow.id} ${stage.letter}`).toBe(policy.autoSend.includes(stage.letter!) ? undefined : 'staff');
      }
      expect(letter(policy.prosecution.formalNotice)?.requires).toBe('champion');
      for (const request of [policy.noticeToImprove.request, policy.penaltyNotice.request, { to: policy.legalRequestsTo, template: `${policy.id}/education-supervision-order-request` }]) {
        expect(gate({ type: 'notify', params: { caseId: 'c', ...request } })?.requires, `${workflow.id} ${request.template}`).toBe('champion');
      }
      expect(gate({ type: 'notify', params: { caseId: 'c', ...policy.sicknessReturn.notify } })).toBeUndefined();
    }
  });
});

import type { Effect } from '../domain/case-types.ts';
import type { Policy } from '../domain/policy.ts';
import type { NewEffect } from '../store/types.ts';
import { templateName } from '../domain/words.ts';

type Asked = NonNullable<NewEffect['approval']>;

/**
 * The legal steps a policy can propose, by template, named as the approvals page lists them (a
 * page marks them as legal steps itself): each needs the senior attendance champion.
 * The ESO request's template is named by the escalation machine from the policy id
 * (machines/escalation.ts), the others are the policy's own fields.
 */
export function legalTemplates(policy: Policy): Map<string, string> {
  return new Map([
    [policy.noticeToImprove.request.template, `${policy.noticeToImprove.name} request`],
    [policy.penaltyNotice.request.template, 'Penalty notice request'],
    [`${policy.id}/education-supervision-order-request`, 'Education Supervision Order referral'],
    [policy.prosecution.formalNotice, 'Formal notice of prosecution'],
  ]);
}

/**
 * Whether an effect waits for a person before it leaves the system, and whose role decides:
 * every parent letter (unless the policy lists it in `autoSend`) and every legal step. A legal
 * step is never sent on its own, whatever `autoSend` says.
 */
export function approvalGate(policy: Policy, evidence: unknown): (effect: Effect) => Asked | undefined {
  const legal = legalTemplates(policy);
  const autoSend = new Set(policy.autoSend);
  return (effect) => {
    if (effect.type !== 'sendLetter' && effect.type !== 'notify') return undefined;
    const { template } = effect.params;
    const legalStep = legal.get(template);
    if (legalStep) return { requires: 'champion', reason: legalStep, evidence };
    if (effect.type === 'sendLetter' && !autoSend.has(template)) return { requires: 'staff', reason: `${templateName(template)} to parents`, evidence };
    return undefined;
  };
}

import { WORKFLOWS } from '../../workflows/index.ts';
import type { Notification, Policy, Recipient } from '../domain/policy.ts';

/** Letters the workflows do not send themselves but staff can produce for a case. */
export const STAFF_TEMPLATES = {
  'national/meeting-invitation': 'letter',
  'national/notice-to-improve': 'letter',
  'national/penalty-notice-warning': 'letter',
  'west-coventry/letter-d': 'letter',
  'national/referral': 'notification',
} as const satisfies Record<string, TemplateKind>;

export type TemplateKind = 'letter' | 'notification';

/** Every template a workflow's escalation can name in a sendLetter or notify effect. */
/** Every notify effect a workflow's escalation can make; the machine names the supervision-order request after the policy. */
function notificationsOf(policy: Policy): Notification[] {
  return [
    ...policy.stages.flatMap((stage) => [...stage.notify, ...(stage.noImprovement?.notify ?? [])]),
    policy.noticeToImprove.request,
    policy.penaltyNotice.request,
    policy.penaltyNotice.unpaid,
    policy.sicknessReturn.notify,
    policy.unexplainedAbsence.notify,
    ...(policy.childMissingEducation ? [policy.childMissingEducation.notify] : []),
    { to: policy.legalRequestsTo, template: `${policy.id}/education-supervision-order-request` },
  ];
}

export function templatesOf(policy: Policy): string[] {
  const notifications = notificationsOf(policy).map((notification) => notification.template);
  const letters = policy.stages.flatMap((stage) => (stage.letter ? [stage.letter] : []));
  return [...new Set([...letters, policy.prosecution.formalNotice, ...notifications])].sort();
}

const PARENT_LETTERS = new Set(
  Object.values(WORKFLOWS).flatMap(({ policy }) => [...policy.stages.flatMap((stage) => (stage.letter ? [stage.letter] : [])), policy.prosecution.formalNotice]),
);

/** Letters go to parents (one each, printable); notifications are emails to professionals. */
export function templateKind(id: string): TemplateKind {
  if (Object.hasOwn(STAFF_TEMPLATES, id)) return STAFF_TEMPLATES[id as keyof typeof STAFF_TEMPLATES];
  return PARENT_LETTERS.has(id) ? 'letter' : 'notification';
}

/** Every template there is to preview or test: the workflows' and the staff's own. */
export function allTemplates(): string[] {
  return [...new Set([...Object.values(WORKFLOWS).flatMap(({ policy }) => templatesOf(policy)), ...Object.keys(STAFF_TEMPLATES)])].sort();
}

/** Who a notification template is written for, as the workflows address it ('la' when none names it). */
export function recipientOf(id: string): Recipient {
  return Object.values(WORKFLOWS).flatMap(({ policy }) => notificationsOf(policy)).find((notification) => notification.template === id)?.to ?? 'la';
}

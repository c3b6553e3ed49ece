// Where a case is, whatever its policy calls it, and what that place means. Every policy names its
// support stages itself (Stage 1a, Yellow letter, SAL 2); the legal routes are the same statutory
// steps everywhere. Declared once here, beside the policies' stages, and read by the case plan
// (which tasks a move leaves behind) and the trust's dashboard (stage funnels by meaning).
import type { Policy } from './policy.ts';

/** What the stages mean, in the order a case goes through them (the DfE's "support first"). */
export const STAGE_GROUPS = {
  support: 'Support',
  formalSupport: 'Formal support',
  legal: 'Legal intervention',
} as const;
export type StageGroup = keyof typeof STAGE_GROUPS;
export const STAGE_GROUP_IDS = Object.keys(STAGE_GROUPS) as StageGroup[];

/** The statutory steps every policy shares: their group and their name as the policy gives it. */
const STATUTORY_PLACES: Record<string, { group: StageGroup; name: (policy: Policy) => string }> = {
  considering: { group: 'legal', name: () => 'the five considerations before any legal action' },
  noticeToImprove: { group: 'legal', name: (policy) => `a ${policy.noticeToImprove.name}` },
  penaltyNotice: { group: 'legal', name: () => 'a penalty notice' },
  prosecution: { group: 'legal', name: () => 'prosecution' },
  attendanceContract: { group: 'formalSupport', name: (policy) => `an ${policy.attendanceContract.name}` },
  educationSupervisionOrder: { group: 'formalSupport', name: () => 'an education supervision order' },
};

/**
 * The place of a state: its stage or statutory step (`open.stage1b.awaitingMeeting` → `stage1b`,
 * `open.penaltyNotice.paymentWindow` → `penaltyNotice`), or `closed`, or `new`.
 */
export function placeOf(state: string): string {
  const [top, second] = state.split('.');
  return top === 'open' && second ? second : (top ?? state);
}

/** The group a case at this state is counted in; null for a closed or not yet opened case. */
export function groupOf(policy: Policy, state: string): StageGroup | null {
  const place = placeOf(state);
  const statutory = STATUTORY_PLACES[place];
  if (statutory) return statutory.group;
  return policy.stages.some((stage) => stage.id === place) ? 'support' : null;
}

/** Where the case has gone, in words for a sentence: "Stage 2", "a penalty notice", "closed". */
export function placeName(policy: Policy, state: string): string {
  const place = placeOf(state);
  const stage = policy.stages.find((candidate) => candidate.id === place);
  if (stage) return stage.name;
  return STATUTORY_PLACES[place]?.name(policy) ?? place;
}

/**
 * The task kinds a policy raises for the case as a whole, whatever stage it is at (a multi-agency
 * plan for severe absence, a face-to-face contact, a missing-education form): a stage move leaves
 * them open; only closing the case closes them.
 */
export function caseWideTaskKinds(policy: Policy): string[] {
  return [
    'childMissingEducation',
    ...(policy.severeAbsence ? [policy.severeAbsence.task.kind] : []),
    ...(policy.absenceMilestones?.milestones.map((milestone) => milestone.task.kind) ?? []),
    ...(policy.vulnerability ? [policy.vulnerability.task.kind, policy.vulnerability.riskAssessment.task.kind] : []),
  ];
}

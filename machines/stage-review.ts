import { and, not } from 'xstate';
import type { Policy, Stage } from '../src/domain/policy.ts';
import { stageBand } from './escalation-guards.ts';

/**
 * How a case moves between a policy's support stages: into a stage from below, at each stage's
 * review, and when the stage's meeting is held, missed or agrees a contract. Data for the
 * escalation chart (escalation.ts), whose named guards and actions these refer to.
 *
 * Two rules of the seeds shape it. A stage that `follows` steps is entered from the stage before
 * only once they are recorded there: a review date alone never stands in for a meeting (the case
 * stays and staff are asked to invite the parents again). And where letters follow the band
 * (`lettersFollowBand`), each review sends the pupil to the stage of their band, up or down.
 */

type Path = (...keys: string[]) => string;
type GuardRef = string | { type: string; params: { stage: string } } | ReturnType<typeof and> | ReturnType<typeof not>;

const entersStage = (stage: Stage) => ({ type: 'entersStage', params: { stage: stage.id } });
const inBandOf = (stage: Stage) => ({ type: 'inBandOf', params: { stage: stage.id } });
const stepsDone = (stage: Stage) => ({ type: 'stepsDone', params: { stage: stage.id } });

/** All of the guards, or none when there are none. */
function all(guards: GuardRef[]): { guard?: GuardRef } {
  if (guards.length === 0) return {};
  return { guard: guards.length === 1 ? (guards[0] as GuardRef) : and(guards as never) };
}

export function stageTransitions(policy: Policy, path: Path) {
  const stages = policy.stages;
  const first = stages[0] as Stage;
  const byBand = policy.lettersFollowBand !== undefined;

  const enter = (stage: Stage, guards: GuardRef[]) => ({
    ...all(guards),
    target: path('open', stage.id),
    actions: { type: 'escalateTo' as const, params: { stage: stage.id } },
  });

  /**
   * Into a stage from `from` (−1: a new case): the deepest stage attendance already qualifies
   * for, else the next one, once the steps it follows are recorded (unless `steps` is false: a
   * missed meeting the seed escalates on). By band, a stage with a band is entered only by it.
   */
  function escalations(from: number, { timer = false, steps = true } = {}) {
    const next = stages[from + 1];
    if (!next) return [];
    const timed = timer ? ['timerIsCurrent'] : [];
    const banded = byBand && from >= 0;
    // A next stage with a band of its own is entered by it even before its steps are recorded.
    const deeper = stages
      .slice(from + (banded || (steps && next.follows) ? 1 : 2))
      .filter((stage) => stage.entersWhen)
      .reverse()
      .map((stage) => enter(stage, [...timed, entersStage(stage)]));
    if (banded && next.entersWhen) return deeper;
    return [...deeper, enter(next, [...timed, ...(steps && next.follows && from >= 0 ? [stepsDone(next)] : [])])];
  }

  /** The REVIEW_DUE transitions of the stage at `index`. */
  function review(stage: Stage, index: number) {
    const previous = stages[index - 1];
    const next = stages[index + 1];
    const self = { target: path('open', stage.id), reenter: true };
    const close = {
      guard: and(['timerIsCurrent', 'reachedTarget']),
      target: path('closed'),
      actions: { type: 'closeCase' as const, params: { reason: 'improved' as const } },
    };
    const stay = next
      ? { guard: 'timerIsCurrent', ...self }
      : { guard: 'timerIsCurrent', ...self, actions: { type: 'lastStageNotImproving' as const, params: { stage: stage.id } } };
    const chase = next?.follows
      ? [{ guard: 'timerIsCurrent', ...self, actions: { type: 'chaseSteps' as const, params: { stage: next.id } } }]
      : [];
    if (!byBand)
      return [
        close,
        { guard: and(['timerIsCurrent', 'improvedSinceLetter']), target: path('open', (previous ?? stage).id), reenter: true },
        ...(next ? [...escalations(index, { timer: true }), ...chase] : [stay]),
      ];
    // Out of the stage's band to a better one: the stage of that band, with no letter.
    const band = JSON.stringify(stageBand(policy, stage.id));
    const better = index === 0
      ? []
      : [
          ...stages
            .slice(1, index)
            .filter((candidate) => candidate.entersWhen && JSON.stringify(candidate.entersWhen) !== band)
            .reverse()
            .map((candidate) => ({ guard: and(['timerIsCurrent', not(inBandOf(stage)), entersStage(candidate)]), target: path('open', candidate.id) })),
          { guard: and(['timerIsCurrent', not(inBandOf(stage))]), target: path('open', first.id) },
        ];
    const unbandedNext = next && !next.entersWhen;
    // Improving, though still in the band: no next step, and at the last stage no "not improving" either.
    const improving = { guard: and(['timerIsCurrent', 'improvedSinceLetter']), ...self };
    return [
      close,
      ...escalations(index, { timer: true }).filter((transition) => !unbandedNext || transition.target !== path('open', next.id)),
      ...better,
      ...(unbandedNext
        ? [improving, enter(next, ['timerIsCurrent', ...(next.follows ? [stepsDone(next)] : [])]), ...chase]
        : next
          ? [stay]
          : [improving, stay]),
    ];
  }

  /** MEETING_HELD, PARENT_DID_NOT_ATTEND and, for a meeting that agrees the contract, its outcome. */
  function meetingEvents(stage: Stage, index: number) {
    const meeting = stage.meeting;
    if (!meeting) return {};
    const missed = { type: 'recordMeeting' as const, params: { attended: false } };
    const isLast = index === stages.length - 1;
    const escalateOnMissed = isLast
      ? [{ target: path('open', stage.id), reenter: true, actions: [missed, { type: 'lastStageNotImproving' as const, params: { stage: stage.id } }] }]
      : escalations(index, { steps: false }).map((transition) => ({ ...transition, actions: [missed, transition.actions] }));
    return {
      MEETING_HELD: { actions: { type: 'recordMeeting' as const, params: { attended: true } } },
      PARENT_DID_NOT_ATTEND: meeting.escalateIfNotAttended ? escalateOnMissed : [{ actions: [missed, 'reinvite' as const] }],
      ...(meeting.agreesContract
        ? { CONTRACT_AGREED: { actions: 'agreeContractAtStage' as const }, CONTRACT_DECLINED: { actions: 'declineContractAtStage' as const } }
        : {}),
    };
  }

  return { escalations, review, meetingEvents };
}

import { and, not, setup } from 'xstate';
import type { SchoolCalendar } from '../src/domain/calendar.ts';
import { describeDuration } from '../src/domain/policy.ts';
import type { Policy, Stage } from '../src/domain/policy.ts';
import type { CaseContext, CaseEvent, CaseInput, Decision } from '../src/domain/case-types.ts';
import { caseTools, initialContext } from './case-draft.ts';
import { escalationActions } from './escalation-actions.ts';
import { escalationGuards } from './escalation-guards.ts';
import { stageTransitions } from './stage-review.ts';

/**
 * Marks the states of the legal stages (Notice to Improve, penalty notice, Education Supervision
 * Order, prosecution): every staff event such a state handles, and every event that enters or
 * leaves one, is a legal step for the senior attendance champion. The access rules read it from
 * the chart, so a new legal event is covered when it is added here.
 */
export const LEGAL_TAG = 'legal';

/** The event types handled inside the chart's legal states (pure data read from the machine). */
export function legalEventTypes(machine: { root: LegalNode }): Set<string> {
  const found = new Set<string>();
  const visit = (node: LegalNode, inLegal: boolean) => {
    const legal = inLegal || node.tags.includes(LEGAL_TAG);
    if (legal) for (const type of node.ownEvents) found.add(type);
    for (const child of Object.values(node.states)) visit(child, legal);
  };
  visit(machine.root, false);
  return found;
}

interface LegalNode {
  tags: readonly string[];
  ownEvents: readonly string[];
  states: Record<string, LegalNode>;
}

/**
 * The escalation statechart of one workflow policy. Pure: time comes in on events (`at`), and
 * every effect (letters, notifications, timers, tasks) is an action object with serialisable
 * params that `transition()` returns for the case service to execute.
 */

export interface MachineOptions {
  version: number;
  /** The school's calendar; only school-day durations need it, so a diagram can be drawn without. */
  calendar?: SchoolCalendar;
}

export function createEscalationMachine(policy: Policy, { version, calendar }: MachineOptions) {
  const stages = policy.stages;
  const firstStage = stages[0] as Stage;
  const path = (...keys: string[]) => `#${policy.id}.${keys.join('.')}`;

  const tools = caseTools(policy, calendar);

  const machineSetup = setup({
    types: {
      context: {} as CaseContext,
      events: {} as CaseEvent,
      input: {} as CaseInput,
    },
    actions: escalationActions(policy, calendar, tools),
    guards: escalationGuards(policy, calendar, tools),
  });

  const { escalations, review, meetingEvents } = stageTransitions(policy, path);

  function stageState(stage: Stage, index: number) {
    return {
      description: `${stage.name}${stage.letter ? ` (${stage.letter})` : ''}: reviewed after ${describeDuration(stage.review)}`,
      entry: { type: 'startStageReview' as const, params: { stage: stage.id } },
      exit: { type: 'stopTimer' as const, params: { name: 'review' } },
      on: {
        REVIEW_DUE: review(stage, index),
        ...meetingEvents(stage, index),
        THRESHOLD_MET: { target: path('open', 'considering'), actions: 'recordThreshold' as const },
      },
    };
  }

  const legalRoutes: { decision: Decision; target: string }[] = [
    { decision: 'noticeToImprove', target: path('open', 'noticeToImprove') },
    { decision: 'attendanceContract', target: path('open', 'attendanceContract') },
    { decision: 'educationSupervisionOrder', target: path('open', 'educationSupervisionOrder') },
    { decision: 'prosecution', target: path('open', 'prosecution') },
    { decision: 'continueSupport', target: path('open', 'resumingSupport') },
  ];
  /**
   * The national threshold binds every school whatever the pupil's attendance (seed 002): a pupil
   * without an open case who meets it goes straight to considerations, with no stage letter that
   * would tell the family their attendance is below target when it may not be.
   */
  const openAtThreshold = { target: path('open', 'considering'), actions: ['openCase' as const, 'recordThreshold' as const] };

  const decided = (decision: Decision) =>
    and(['considerationsComplete', { type: 'decisionIs' as const, params: { decision } }]);

  return machineSetup.createMachine({
    id: policy.id,
    version: String(version),
    context: ({ input }) => initialContext(input),
    initial: 'new',
    description: `${policy.name}: attendance escalation`,
    states: {
      new: {
        description: 'Case created; the concern that opens it arrives as OPEN',
        on: {
          OPEN: [
            ...escalations(-1).map((transition) => ({ ...transition, actions: ['openCase' as const, transition.actions] })),
          ],
          THRESHOLD_MET: openAtThreshold,
        },
      },
      open: {
        description: 'Attendance gives concern: the school works the case through its stages and, if needed, the law',
        initial: firstStage.id,
        on: {
          PUPIL_LEFT: { target: path('closed'), actions: { type: 'closeCase', params: { reason: 'leftSchool' } } },
          CASE_WITHDRAWN: { target: path('closed'), actions: { type: 'closeCase', params: { reason: 'withdrawn' } } },
          SICKNESS_RETURN_DUE: { guard: 'sicknessReturnNotYetSent', actions: 'sendSicknessReturn' },
          UNEXPLAINED_ABSENCE: { actions: 'notifyUnexplainedAbsence' },
          // Rules only some settings have: a workflow without them does not listen for them.
          ...(policy.childMissingEducation
            ? { CHILD_MISSING_EDUCATION: { guard: 'missingEducationNotYetReported', actions: 'reportMissingEducation' } }
            : {}),
          ...(policy.severeAbsence
            ? { SEVERE_ABSENCE: { guard: 'multiAgencyPlanNotYetStarted', actions: 'planMultiAgencySupport' } }
            : {}),
          ...(policy.absenceMilestones
            ? { ABSENCE_MILESTONE: { guard: 'milestoneInPolicy', actions: 'raiseMilestoneTask' } }
            : {}),
          ...(policy.bandActions ? { BAND_REVIEWED: { guard: 'bandHasAction', actions: 'raiseBandAction' } } : {}),
          ...(policy.vulnerability
            ? {
                ABSENCE_CONTINUES: { guard: 'faceToFaceContactDue', actions: 'raiseFaceToFaceTask' },
                VULNERABILITY_RATED: { actions: 'rateVulnerability' },
              }
            : {}),
        },
        states: {
          ...Object.fromEntries(stages.map((stage, index) => [stage.id, stageState(stage, index)])),
          resumingSupport: {
            description: 'Back to the support stage the case left for a legal step',
            // Every stage's entry records it, so the first stage is only ever the one left.
            always: [
              ...stages.slice(1).map((stage) => ({
                guard: { type: 'wasAtStage' as const, params: { stage: stage.id } },
                target: path('open', stage.id),
              })),
              { target: path('open', firstStage.id) },
            ],
          },
          considering: {
            description:
              'National threshold met: the school records its five considerations before any legal route is chosen',
            entry: 'requestConsiderations',
            on: {
              CONSIDERATIONS_RECORDED: [
                {
                  guard: and([decided('penaltyNotice'), 'anyParentMayReceivePenaltyNotice']),
                  target: path('open', 'penaltyNotice'),
                  actions: 'recordConsiderations',
                },
                { guard: decided('penaltyNotice'), actions: ['recordConsiderations', 'refusePenaltyNotice'] },
                ...legalRoutes.map(({ decision, target }) => ({
                  guard: decided(decision),
                  target,
                  actions: 'recordConsiderations' as const,
                })),
              ],
            },
          },
          noticeToImprove: {
            tags: [LEGAL_TAG],
            description: `${policy.noticeToImprove.name}: a final chance to engage before a penalty notice`,
            initial: 'requested',
            states: {
              requested: {
                description: `${policy.noticeToImprove.name} requested from the ${policy.legalRequestsTo === 'la' ? 'local authority' : 'home school'}`,
                entry: 'requestNoticeToImprove',
                on: { NTI_ISSUED: { guard: 'improvementPeriodAllowed', target: 'improvementPeriod' } },
              },
              improvementPeriod: {
                description: `Improvement period of ${describeDuration(policy.noticeToImprove.improvementPeriod)}`,
                entry: 'startImprovementPeriod',
                exit: { type: 'stopTimer', params: { name: 'improvementPeriod' } },
                on: {
                  UNAUTHORISED_ABSENCE: [
                    {
                      guard: 'anyParentMayReceivePenaltyNotice',
                      target: path('open', 'penaltyNotice'),
                      actions: 'recordFurtherAbsence',
                    },
                    { target: path('open', 'considering'), actions: ['recordFurtherAbsence', 'refusePenaltyNotice'] },
                  ],
                  IMPROVEMENT_PERIOD_ENDED: { guard: 'timerIsCurrent', target: path('open', 'resumingSupport') },
                },
              },
            },
          },
          penaltyNotice: {
            tags: [LEGAL_TAG],
            description: 'Penalty notice per parent: £80 within 21 days or £160 within 28 (a second notice £160 only)',
            initial: 'requested',
            exit: 'cancelPaymentTimers',
            states: {
              requested: {
                description: `Penalty notice requested from the ${policy.legalRequestsTo === 'la' ? 'local authority' : 'home school'}`,
                entry: 'requestPenaltyNotice',
                on: {
                  PENALTY_NOTICE_ISSUED: [
                    { guard: 'mayIssuePenaltyNotice', target: 'paymentWindow', actions: 'issuePenaltyNotice' },
                    { target: path('open', 'considering'), actions: 'refusePenaltyNotice' },
                  ],
                },
              },
              paymentWindow: {
                description: 'Waiting for payment: reduced rate for 21 days (first notice only), full rate until day 28',
                always: [
                  { guard: and(['noNoticeAwaitingPayment', 'someNoticeUnpaid']), target: 'laDecision' },
                  { guard: 'noNoticeAwaitingPayment', target: path('open', 'resumingSupport') },
                ],
                on: {
                  PENALTY_NOTICE_ISSUED: [
                    { guard: 'mayIssuePenaltyNotice', actions: 'issuePenaltyNotice' },
                    { actions: 'refusePenaltyNotice' },
                  ],
                  REDUCED_RATE_WINDOW_CLOSED: { guard: 'timerIsCurrent', actions: 'closeReducedRateWindow' },
                  PENALTY_PAID: { guard: 'parentHasNoticeAwaitingPayment', actions: 'recordPayment' },
                  PAYMENT_WINDOW_CLOSED: { guard: 'timerIsCurrent', actions: 'closePaymentWindow' },
                },
              },
              laDecision: {
                description: 'Unpaid after 28 days: the local authority decides to prosecute or withdraw the notice',
                always: { guard: not('someNoticeUnpaid'), target: path('open', 'resumingSupport') },
                on: {
                  LA_DECISION: [
                    {
                      guard: and(['parentHasUnpaidNotice', 'laDecidesToProsecute']),
                      target: path('open', 'prosecution'),
                      actions: 'recordLaDecision',
                    },
                    { guard: 'parentHasUnpaidNotice', actions: 'recordLaDecision' },
                  ],
                },
              },
            },
          },
          attendanceContract: {
            description: `${policy.attendanceContract.name}: voluntary, never made without the parents`,
            initial: 'proposed',
            states: {
              proposed: {
                description: 'Meeting to agree the contract; the parents may decline',
                entry: 'proposeContract',
                on: {
                  CONTRACT_AGREED: { target: 'active', actions: { type: 'recordContract', params: { outcome: 'agreed' } } },
                  CONTRACT_DECLINED: {
                    target: path('open', 'considering'),
                    actions: { type: 'recordContract', params: { outcome: 'declined' } },
                  },
                },
              },
              active: {
                description: `In force; reviewed every ${describeDuration(policy.attendanceContract.review)}`,
                entry: 'startContractReview',
                exit: { type: 'stopTimer', params: { name: 'contractReview' } },
                on: {
                  CONTRACT_REVIEW_DUE: [
                    {
                      guard: and(['timerIsCurrent', 'reachedTarget']),
                      target: path('closed'),
                      actions: { type: 'closeCase', params: { reason: 'improved' } },
                    },
                    { guard: and(['timerIsCurrent', 'improvedSinceLetter']), target: 'active', reenter: true },
                    {
                      guard: 'timerIsCurrent',
                      target: path('open', 'considering'),
                      actions: { type: 'recordContract', params: { outcome: 'breached' } },
                    },
                  ],
                  CONTRACT_BREACHED: {
                    target: path('open', 'considering'),
                    actions: { type: 'recordContract', params: { outcome: 'breached' } },
                  },
                },
              },
            },
          },
          educationSupervisionOrder: {
            tags: [LEGAL_TAG],
            description: 'Education Supervision Order: the LA applies to the family court',
            initial: 'applied',
            states: {
              applied: {
                description: 'Application made; waiting for the court',
                entry: 'applyForSupervisionOrder',
                on: {
                  ESO_GRANTED: { target: 'inForce', actions: 'recordSupervisionOrder' },
                  ESO_REFUSED: path('open', 'considering'),
                },
              },
              inForce: {
                description: `Order in force for ${describeDuration(policy.educationSupervisionOrder.initial)}, extendable by ${describeDuration(policy.educationSupervisionOrder.extension)} at a time up to ${describeDuration(policy.educationSupervisionOrder.maximum)}`,
                entry: 'startSupervisionOrder',
                exit: { type: 'stopTimer', params: { name: 'supervisionOrder' } },
                on: {
                  ESO_EXTENDED: { guard: 'extensionAllowed', target: 'inForce', reenter: true, actions: 'extendSupervisionOrder' },
                  ESO_NON_COMPLIANCE: { target: path('open', 'prosecution'), actions: 'recordFurtherAbsence' },
                  ESO_ENDED: { guard: 'timerIsCurrent', target: path('open', 'resumingSupport') },
                },
              },
            },
          },
          prosecution: {
            tags: [LEGAL_TAG],
            description: 'Prosecution under s444(1)/(1A) Education Act 1996: only the LA prosecutes',
            initial: 'preparing',
            states: {
              preparing: {
                description: 'Formal written notice to the parents; must be laid within 6 months of the offence',
                entry: 'prepareProsecution',
                exit: { type: 'stopTimer', params: { name: 'prosecutionTimeLimit' } },
                on: {
                  PROSECUTION_LAID: { guard: 'withinProsecutionTimeLimit', target: 'laid', actions: 'recordProsecution' },
                  PROSECUTION_TIME_LIMIT_REACHED: {
                    guard: 'timerIsCurrent',
                    target: path('open', 'considering'),
                    actions: 'recordTimeBar',
                  },
                },
              },
              laid: {
                description: 'Laid before the magistrates; waiting for the outcome',
                on: { COURT_OUTCOME: { target: path('open', 'resumingSupport'), actions: 'recordProsecution' } },
              },
            },
          },
        },
      },
      closed: {
        description: 'Closed: attendance improved, the pupil left, or the case was withdrawn; reopens if concern returns',
        on: {
          REOPEN: [
            ...escalations(-1).map((transition) => ({ ...transition, actions: ['openCase' as const, transition.actions] })),
          ],
          THRESHOLD_MET: openAtThreshold,
        },
      },
    },
  });
}

export type EscalationMachine = ReturnType<typeof createEscalationMachine>;

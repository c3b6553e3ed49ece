// The staff actions a case accepts over the API: one zod schema per event type. The route adds
// the date (from the clock) and who did it (from the session); timers and the evaluator send
// the other events of the machine, never a person.
import { z } from 'zod';
import type { CaseEvent, Decision } from '../../../domain/case-types.ts';
import { CONSIDERATIONS } from '../../../domain/penalty-notices.ts';
import type { IsoDate } from '../../../domain/types.ts';
import { NOTE_CATEGORY_IDS } from '../../../domain/casework-records.ts';
import { isoDateSchema } from '../../../register/rows.ts';

export const DECISIONS = ['continueSupport', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'] as const satisfies readonly Decision[];

const answer = z.object({ answer: z.boolean(), rationale: z.string().trim().min(1, 'give the reason for the answer').max(2000) });
const considerations = z.object(Object.fromEntries(CONSIDERATIONS.map(({ id, question }) => [id, answer.describe(question)])) as Record<(typeof CONSIDERATIONS)[number]['id'], typeof answer>);
const parentId = z.string().min(1).max(100).describe("the parent's id in the case (see the case's parents)");
const expectedVersion = z.number().int().min(1).optional().describe('the case version this action was decided on; If-Match works too');

const action = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.object({ type: z.literal(type), ...shape, expectedVersion }).describe(description);

/** At most this many actions agreed at one meeting: a plan, not a project. */
export const MAX_MEETING_ACTIONS = 8;

const meetingAction = z.object({
  what: z.string().trim().min(1, 'say what is to be done').max(500, 'keep each action to 500 characters'),
  owner: z.string().min(1, 'choose who will do it').max(100).describe('the user id of one of the school’s active staff'),
  due: isoDateSchema.describe('by when (YYYY-MM-DD)'),
});

const meeting = action(
  'MEETING_RECORDED',
  {
    date: isoDateSchema.describe('the day of the meeting: not in the future, not before the case opened'),
    attendees: z.string().trim().min(1, 'say who attended (names or roles)').max(1000, 'keep who attended to 1000 characters'),
    parentPresent: z.boolean({ error: 'say whether a parent or carer was there' }).describe('whether a parent or carer was there; if not, the policy’s path for a missed meeting is taken'),
    agreed: z.string().trim().max(5000, 'keep what was agreed to 5000 characters').default('').describe('what was agreed: the action plan'),
    actions: z.array(meetingAction).max(MAX_MEETING_ACTIONS, `at most ${MAX_MEETING_ACTIONS} actions`).default([]),
    outcome: z.string().trim().min(1, 'say what the outcome was').max(2000, 'keep the outcome to 2000 characters'),
  },
  'The stage’s attendance meeting, as the school records it: held (MEETING_HELD) when a parent or carer was there, else not attended (PARENT_DID_NOT_ATTEND). Closes the meeting task and sets a task per action.',
).superRefine((value, ctx) => {
  if (value.parentPresent && value.agreed === '') ctx.addIssue({ code: 'custom', path: ['agreed'], message: 'say what was agreed with the family (the action plan)' });
});

const SCHEMAS = [
  meeting,
  action('CONSIDERATIONS_RECORDED', { considerations, decision: z.enum(DECISIONS) }, 'The considerations the national threshold requires, and the decision.'),
  action('NTI_ISSUED', { improvementPeriod: z.number().int().min(1).max(60).optional() }, 'A Notice to Improve was issued.'),
  action('PENALTY_NOTICE_ISSUED', { parentId }, 'A penalty notice was issued to a parent.'),
  action('PENALTY_PAID', { parentId }, 'A parent paid a penalty notice.'),
  action('LA_DECISION', { parentId, decision: z.enum(['prosecute', 'withdraw']) }, 'The local authority decided on an unpaid penalty notice.'),
  action('CONTRACT_AGREED', {}, 'The parent agreed an attendance contract.'),
  action('CONTRACT_DECLINED', {}, 'The parent declined an attendance contract.'),
  action('CONTRACT_BREACHED', {}, 'The attendance contract was breached.'),
  action('ESO_GRANTED', {}, 'The court granted an Education Supervision Order.'),
  action('ESO_REFUSED', {}, 'The court refused an Education Supervision Order.'),
  action('ESO_EXTENDED', {}, 'The Education Supervision Order was extended.'),
  action('ESO_NON_COMPLIANCE', {}, 'The parent did not comply with the Education Supervision Order.'),
  action('PROSECUTION_LAID', {}, 'A prosecution was laid (referred to court).'),
  action('COURT_OUTCOME', { outcome: z.enum(['convicted', 'acquitted', 'withdrawn']) }, 'The outcome of the prosecution.'),
  action('PUPIL_LEFT', {}, 'The pupil left the school.'),
  action('CASE_WITHDRAWN', { reason: z.string().trim().min(1).max(2000) }, 'The case is withdrawn, with the reason.'),
  action('VULNERABILITY_RATED', { rating: z.enum(['RED', 'AMBER', 'GREEN']) }, 'The pupil’s vulnerability rating changed.'),
  action(
    'NOTE',
    {
      text: z.string().trim().min(1, 'write the note').max(5000, 'keep a note to 5000 characters'),
      category: z.enum(NOTE_CATEGORY_IDS).default('other').describe('phone call, home visit, email, meeting, safeguarding concern referred elsewhere, or other'),
      on: isoDateSchema.optional().describe('the day the note is about (default today; not in the future)'),
    },
    'A note on the timeline, with its category and the day it is about; the case does not change state.',
  ),
] as const;

export const staffActionSchema = z.discriminatedUnion('type', SCHEMAS);
export type StaffAction = z.output<typeof staffActionSchema>;
export type StaffActionType = StaffAction['type'];
export type MachineAction = Exclude<StaffAction, { type: 'NOTE' }>;
export type MeetingAction = Extract<StaffAction, { type: 'MEETING_RECORDED' }>;

export const STAFF_ACTION_TYPES = SCHEMAS.map((schema) => schema.shape.type.value) as StaffActionType[];

/**
 * The machine event for a staff action, dated and signed by the route. A meeting is the chart's
 * MEETING_HELD or, with no parent or carer there, PARENT_DID_NOT_ATTEND, dated the day it was
 * (letters cite it); its record is added by the meeting's own code (cases/meeting-record.ts).
 */
export function toCaseEvent(action: MachineAction, at: IsoDate, by: string): CaseEvent {
  if (action.type === 'MEETING_RECORDED') return { type: action.parentPresent ? 'MEETING_HELD' : 'PARENT_DID_NOT_ATTEND', at: action.date };
  // Only the API's own field goes; the rest of the action is the event's payload as the machine types it.
  const { expectedVersion: _version, ...event } = action;
  return (event.type === 'CONSIDERATIONS_RECORDED' ? { ...event, at, by } : { ...event, at }) as CaseEvent;
}

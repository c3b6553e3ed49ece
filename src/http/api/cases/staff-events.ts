// The staff actions a case accepts over the API: one zod schema per event type. The route adds
// the date (from the clock) and who did it (from the session); timers and the evaluator send
// the other events of the machine, never a person.
import { z } from 'zod';
import type { CaseEvent, Decision } from '../../../domain/case-types.ts';
import { CONSIDERATIONS } from '../../../domain/penalty-notices.ts';
import type { IsoDate } from '../../../domain/types.ts';

export const DECISIONS = ['continueSupport', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'] as const satisfies readonly Decision[];

const answer = z.object({ answer: z.boolean(), rationale: z.string().trim().min(1, 'give the reason for the answer').max(2000) });
const considerations = z.object(Object.fromEntries(CONSIDERATIONS.map(({ id, question }) => [id, answer.describe(question)])) as Record<(typeof CONSIDERATIONS)[number]['id'], typeof answer>);
const parentId = z.string().min(1).max(100).describe("the parent's id in the case (see the case's parents)");
const expectedVersion = z.number().int().min(1).optional().describe('the case version this action was decided on; If-Match works too');

const action = <T extends string, S extends z.ZodRawShape>(type: T, shape: S, description: string) =>
  z.object({ type: z.literal(type), ...shape, expectedVersion }).describe(description);

const SCHEMAS = [
  action('MEETING_HELD', {}, 'The attendance meeting of the current stage was held.'),
  action('PARENT_DID_NOT_ATTEND', {}, 'The parent did not attend the meeting.'),
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
  action('NOTE', { text: z.string().trim().min(1).max(5000) }, 'A note on the timeline; the case does not change state.'),
] as const;

export const staffActionSchema = z.discriminatedUnion('type', SCHEMAS);
export type StaffAction = z.output<typeof staffActionSchema>;
export type StaffActionType = StaffAction['type'];
export type MachineAction = Exclude<StaffAction, { type: 'NOTE' }>;

export const STAFF_ACTION_TYPES = SCHEMAS.map((schema) => schema.shape.type.value) as StaffActionType[];

/** The machine event for a staff action, dated and signed by the route. */
export function toCaseEvent(action: MachineAction, at: IsoDate, by: string): CaseEvent {
  // Only the API's own field goes; the rest of the action is the event's payload as the machine types it.
  const { expectedVersion: _version, ...event } = action;
  return (event.type === 'CONSIDERATIONS_RECORDED' ? { ...event, at, by } : { ...event, at }) as CaseEvent;
}

import { CONSIDERATIONS } from '../../../domain/penalty-notices.ts';
import type { IsoDate } from '../../../domain/types.ts';
import { acceptsEvent, snapshotOf, type SchoolMachine } from '../../../cases/case-machines.ts';
import type { CaseRecord } from '../../../store/types.ts';
import { mayAct, mayClose, mayTakeLegalSteps, type Access } from '../../../access/scope.ts';
import { isLegalStep } from '../../../cases/legal-steps.ts';
import { afterMissedMeeting, meetingRecorded, stageMeetingName } from '../../../cases/meeting-record.ts';
import { DECISIONS, STAFF_ACTION_TYPES, toCaseEvent, type MachineAction, type StaffActionType } from './staff-events.ts';

export interface AllowedAction {
  type: StaffActionType;
  /** Whether this is a legal step (for a decision: whether any allowed decision is one). */
  legal: boolean;
  /** Whether the caller's role may take it. */
  youMay: boolean;
  /** The parents it can be recorded for now, for actions about one parent's notice. */
  parentIds?: string[];
  /** The decisions the case accepts now, for recorded considerations. */
  decisions?: string[];
  /** For a meeting: the stage's meeting as the policy names it, and where a missed one takes the case. */
  meeting?: { name: string | null; ifParentAbsent: string | null };
}

const fullConsiderations = Object.fromEntries(CONSIDERATIONS.map(({ id }) => [id, { answer: true, rationale: 'sample' }]));

/** Every variant of an action worth trying: one per parent, per decision. */
function samples(type: Exclude<StaffActionType, 'NOTE'>, parentIds: string[], today: IsoDate): MachineAction[] {
  const variants: Record<string, unknown>[] = (() => {
    switch (type) {
      case 'CONSIDERATIONS_RECORDED':
        return DECISIONS.map((decision) => ({ considerations: fullConsiderations, decision }));
      case 'PENALTY_NOTICE_ISSUED':
      case 'PENALTY_PAID':
        return parentIds.map((parentId) => ({ parentId }));
      case 'LA_DECISION':
        return parentIds.flatMap((parentId) => [{ parentId, decision: 'prosecute' }, { parentId, decision: 'withdraw' }]);
      case 'COURT_OUTCOME':
        return [{ outcome: 'convicted' }];
      case 'CASE_WITHDRAWN':
        return [{ reason: 'sample' }];
      case 'MEETING_RECORDED':
        return [true, false].map((parentPresent) => ({ date: today, parentPresent, attendees: 'sample', agreed: 'sample', actions: [], outcome: 'sample' }));
      case 'VULNERABILITY_RATED':
        return [{ rating: 'RED' }];
      default:
        return [{}];
    }
  })();
  return variants.map((fields) => ({ type, ...fields }) as MachineAction);
}

/**
 * The staff actions the case accepts now, read from the machine itself (through cases/, the only
 * code that runs machines): each candidate event that changes the stored snapshot is allowed. A
 * stage's meeting is offered until it is recorded.
 */
export function allowedActions(schoolMachine: SchoolMachine, record: CaseRecord, today: IsoDate, access: Access, openTaskKinds: ReadonlySet<string> = new Set()): AllowedAction[] {
  const snapshot = snapshotOf(schoolMachine, record);
  const parentIds = snapshot.context.parents.map((parent) => parent.id);
  const accepts = (action: MachineAction) => acceptsEvent(schoolMachine, record, toCaseEvent(action, today, access.user.id));
  const result: AllowedAction[] = [];
  for (const type of STAFF_ACTION_TYPES) {
    if (type === 'NOTE') continue;
    if (type === 'MEETING_RECORDED' && meetingRecorded(record, openTaskKinds)) continue;
    const accepted = samples(type, parentIds, today).filter(accepts);
    if (accepted.length === 0) continue;
    const legalOnes = accepted.filter((action) => isLegalStep(schoolMachine, record, toCaseEvent(action, today, access.user.id)));
    const allowed: AllowedAction = {
      type,
      legal: legalOnes.length > 0,
      youMay: mayAct(access) && (mayTakeLegalSteps(access) || legalOnes.length < accepted.length) && (type !== 'CASE_WITHDRAWN' || mayClose(access)),
    };
    const parents = [...new Set(accepted.flatMap((action) => ('parentId' in action ? [action.parentId] : [])))];
    if (parents.length > 0) allowed.parentIds = parents;
    if (type === 'MEETING_RECORDED') allowed.meeting = { name: stageMeetingName(schoolMachine, record), ifParentAbsent: afterMissedMeeting(schoolMachine, record, today) };
    if (type === 'CONSIDERATIONS_RECORDED') allowed.decisions = accepted.map((action) => (action as { decision: string }).decision);
    result.push(allowed);
  }
  result.push({ type: 'NOTE', legal: false, youMay: mayAct(access) });
  return result;
}

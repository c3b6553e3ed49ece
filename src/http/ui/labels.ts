import { WORKFLOWS } from '../../../workflows/index.ts';
import { words } from './views.ts';

/** The state as the school's policy names it: `open.stage1b` → "Stage 1b – second letter". */
export function stateLabel(workflowId: string, state: string): string {
  const stages = WORKFLOWS[workflowId]?.policy.stages ?? [];
  const parts = state.split('.');
  const stage = stages.find((candidate) => parts.includes(candidate.id));
  return stage ? stage.name : words(state);
}

export const STAFF_ACTION_LABELS: Record<string, string> = {
  MEETING_RECORDED: 'Record the meeting',
  CONSIDERATIONS_RECORDED: 'Record the five threshold considerations',
  NTI_ISSUED: 'Record a Notice to Improve as issued',
  PENALTY_NOTICE_ISSUED: 'Record a penalty notice as issued',
  PENALTY_PAID: 'Record a penalty notice as paid',
  LA_DECISION: 'Record the local authority’s decision',
  CONTRACT_AGREED: 'Record the attendance contract as agreed',
  CONTRACT_DECLINED: 'Record the attendance contract as declined',
  CONTRACT_BREACHED: 'Record the attendance contract as breached',
  ESO_GRANTED: 'Record the Education Supervision Order as granted',
  ESO_REFUSED: 'Record the Education Supervision Order as refused',
  ESO_EXTENDED: 'Record the Education Supervision Order as extended',
  ESO_NON_COMPLIANCE: 'Record non-compliance with the Education Supervision Order',
  PROSECUTION_LAID: 'Record the prosecution as laid',
  COURT_OUTCOME: 'Record the court’s outcome',
  PUPIL_LEFT: 'Record that the pupil left the school',
  CASE_WITHDRAWN: 'Withdraw the case',
  VULNERABILITY_RATED: 'Change the vulnerability rating',
  NOTE: 'Add a note',
};


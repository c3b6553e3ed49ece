// Legal steps are read from the chart: every staff event a legal stage accepts is the champion's (issue 17, item 5).
import { describe, it, expect } from 'vitest';
import { createActor } from 'xstate';
import { calendarFor, WORKFLOWS } from '../../../workflows/index.ts';
import { CALENDARS } from '../../../workflows/calendars/index.ts';
import { machineFor, type SchoolMachine } from '../../../src/cases/case-machines.ts';
import { isLegalStepAt } from '../../../src/cases/legal-steps.ts';
import { LEGAL_TAG } from '../../../machines/escalation.ts';
import { STAFF_ACTION_TYPES } from '../../../src/http/api/cases/staff-events.ts';
import type { CaseEvent, PenaltyNoticeRecord } from '../../../src/domain/case-types.ts';
import { allConsidered } from './support.ts';

const at = '2024-11-20';
/** One or more events of every staff action the API accepts (NOTE never reaches the machine). */
const SAMPLES: Record<string, CaseEvent[]> = {
  // A recorded meeting is the chart's MEETING_HELD, or PARENT_DID_NOT_ATTEND when nobody for the family came.
  MEETING_RECORDED: [{ type: 'MEETING_HELD', at }, { type: 'PARENT_DID_NOT_ATTEND', at }],
  CONSIDERATIONS_RECORDED: (['continueSupport', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution'] as const).map((decision) => ({ type: 'CONSIDERATIONS_RECORDED', at, by: 'u', decision, considerations: allConsidered })),
  NTI_ISSUED: [{ type: 'NTI_ISSUED', at }],
  PENALTY_NOTICE_ISSUED: [{ type: 'PENALTY_NOTICE_ISSUED', at, parentId: 'p1' }],
  PENALTY_PAID: [{ type: 'PENALTY_PAID', at, parentId: 'p1' }],
  LA_DECISION: [{ type: 'LA_DECISION', at, parentId: 'p1', decision: 'prosecute' }, { type: 'LA_DECISION', at, parentId: 'p1', decision: 'withdraw' }],
  CONTRACT_AGREED: [{ type: 'CONTRACT_AGREED', at }],
  CONTRACT_DECLINED: [{ type: 'CONTRACT_DECLINED', at }],
  CONTRACT_BREACHED: [{ type: 'CONTRACT_BREACHED', at }],
  ESO_GRANTED: [{ type: 'ESO_GRANTED', at }],
  ESO_REFUSED: [{ type: 'ESO_REFUSED', at }],
  ESO_EXTENDED: [{ type: 'ESO_EXTENDED', at }],
  ESO_NON_COMPLIANCE: [{ type: 'ESO_NON_COMPLIANCE', at }],
  PROSECUTION_LAID: [{ type: 'PROSECUTION_LAID', at }],
  COURT_OUTCOME: [{ type: 'COURT_OUTCOME', at, outcome: 'convicted' }],
  PUPIL_LEFT: [{ type: 'PUPIL_LEFT', at }],
  CASE_WITHDRAWN: [{ type: 'CASE_WITHDRAWN', at, reason: 'moved away' }],
  VULNERABILITY_RATED: [{ type: 'VULNERABILITY_RATED', at, rating: 'RED' }],
} as Record<string, CaseEvent[]>;

/** Events a legal stage accepts that leave it where it is and are not about the law: welfare ratings. */
const NOT_LEGAL_IN_A_LEGAL_STAGE = new Set(['VULNERABILITY_RATED']);

interface ChartNode {
  tags: readonly string[];
  path: string[];
  states: Record<string, ChartNode>;
}

/** Every leaf state inside a state the chart tags legal, as a state value. */
function legalLeaves(node: ChartNode, inLegal = false): unknown[] {
  const legal = inLegal || node.tags.includes(LEGAL_TAG);
  const children = Object.values(node.states);
  if (children.length === 0) return legal ? [node.path.reduceRight<unknown>((value, key) => ({ [key]: value }), {})].map((value) => unwrap(value)) : [];
  return children.flatMap((child) => legalLeaves(child, legal));
}
/** { open: { penaltyNotice: { requested: {} } } } → { open: { penaltyNotice: 'requested' } } */
function unwrap(value: unknown): unknown {
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return Object.keys(inner as object).length === 0 ? key : { [key]: unwrap(inner) };
}

const notice = (id: string, status: PenaltyNoticeRecord['status']): PenaltyNoticeRecord => ({ id, parentId: 'p1', issuedOn: '2024-10-01', sequence: 1, amountDue: 80, status, settledOn: null });

/** A case at this legal state, with what its guards look for: a parent with notices awaiting payment and unpaid, an order in force, an offence in time. */
function caseAt(entry: SchoolMachine, value: unknown) {
  const initial = createActor(entry.machine, { input: { caseId: 'c1', upn: 'A123456789012', parents: [{ id: 'p1' }, { id: 'p2' }] } }).getSnapshot();
  const context = {
    ...initial.context,
    stage: entry.workflow.policy.stages[0]!.id,
    offenceOn: '2024-11-01',
    thresholdMetOn: '2024-11-01',
    penaltyNotices: [notice('n1', 'awaitingPayment'), notice('n2', 'unpaid')],
    supervisionOrder: { grantedOn: '2024-09-01', endsOn: '2025-09-01', limitOn: '2027-09-01' },
    prosecution: { offenceOn: '2024-11-01', deadline: '2025-05-01', laidOn: null, outcome: null },
  };
  return entry.machine.resolveState({ value: value as never, context });
}

describe('legal steps, read from the chart', () => {
  it('when a new staff action is added, then this test must be given a sample of it', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(STAFF_ACTION_TYPES.filter((type) => type !== 'NOTE').sort());
  });

  for (const workflow of Object.values(WORKFLOWS)) {
    it(`when a ${workflow.id} case is at any legal stage, then every staff event it accepts there is the champion's`, () => {
      const entry = machineFor(workflow.id, calendarFor(workflow, workflow.policy.calendarId ?? Object.keys(CALENDARS)[0]!));
      const leaves = legalLeaves(entry.machine.root as unknown as ChartNode);
      expect(leaves.length).toBeGreaterThanOrEqual(8);
      const acceptedTypes = new Set<string>();
      for (const value of leaves) {
        const snapshot = caseAt(entry, value);
        expect(snapshot.hasTag(LEGAL_TAG)).toBe(true);
        for (const event of Object.values(SAMPLES).flat()) {
          if (!snapshot.can(event)) continue;
          acceptedTypes.add(event.type);
          if (NOT_LEGAL_IN_A_LEGAL_STAGE.has(event.type)) continue;
          expect({ state: value, event: event.type, legal: isLegalStepAt(entry, snapshot, event) }).toEqual({ state: value, event: event.type, legal: true });
        }
      }
      // The probe's findings: these were left to anyone who acts on cases.
      for (const type of ['ESO_GRANTED', 'ESO_NON_COMPLIANCE', 'LA_DECISION', 'COURT_OUTCOME', 'CASE_WITHDRAWN']) expect(acceptedTypes).toContain(type);
    });
  }

  it('when considerations choose a legal route, then recording them is a legal step; choosing support or a contract is not', () => {
    const workflow = WORKFLOWS['west-coventry']!;
    const entry = machineFor(workflow.id, calendarFor(workflow, workflow.policy.calendarId!));
    const considering = caseAt(entry, { open: 'considering' });
    const legalFor = (decision: string) => isLegalStepAt(entry, considering, SAMPLES.CONSIDERATIONS_RECORDED!.find((event) => (event as { decision: string }).decision === decision)!);
    expect(['noticeToImprove', 'penaltyNotice', 'educationSupervisionOrder', 'prosecution'].map(legalFor)).toEqual([true, true, true, true]);
    expect(['continueSupport', 'attendanceContract'].map(legalFor)).toEqual([false, false]);
  });
});

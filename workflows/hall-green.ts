import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { nationalDefaults } from './national.ts';

/** Hall Green Primary School, Sandwell LA: seed 002, "Pupil Attendance Policy". */

const SEED = '002_531f2d3b054c9100.txt';
const cite = (section: string) => ({ seed: SEED, section });
const ABSENCE = 'Absence Procedures';
const review = { amount: 4, unit: 'schoolWeeks' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(nationalDefaults, {
  id: 'hall-green',
  name: 'Hall Green Primary School',
  cites: cite(ABSENCE),
  calendarId: 'sandwell',
  // "Contact parents/carers should their child's attendance fall below the school's target of 95.5%".
  targetPct: 95.5,
  opening: {
    cites: cite(`${ABSENCE}: write to you if your child's attendance is below 95% and causing concern, and/or where punctuality is a concern (Stage 1)`),
    when: { pctBelow: 95 },
    onUnauthorisedAbsence: false,
    onLates: 10,
  },
  autoSend: ['hall-green/stage-1-letter'],
  stages: [
    { id: 'stage1', name: 'Stage 1', cites: cite(`${ABSENCE}: (Stage 1)`), letter: 'hall-green/stage-1-letter', review },
    {
      id: 'stage2',
      name: 'Stage 2',
      cites: cite(`${ABSENCE}: (Stage 2)`),
      letter: 'hall-green/stage-2-meeting-invitation',
      meeting: { name: 'meeting with the Senior Attendance Champion', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      tasks: [
        { kind: 'supportPlan', title: 'Create a personalised action/support plan, such as an attendance contract', dueIn: { amount: 10, unit: 'schoolDays' } },
        { kind: 'signposting', title: 'Offer signposting to other agencies or services', dueIn: { amount: 10, unit: 'schoolDays' } },
      ],
      review,
    },
    {
      id: 'stage3',
      name: 'Stage 3',
      cites: cite(`${ABSENCE}: (Stage 3)`),
      letter: 'hall-green/stage-3-letter',
      // "Refer the matter to the Local Authority ... if attendance deteriorates following the above actions": after the Stage 2 meeting.
      follows: { steps: ['meetingHeld'], cites: cite(`${ABSENCE}: (Stage 3) if attendance deteriorates following the above actions`) },
      notify: [{ to: 'la', template: 'hall-green/stage-3-referral' }],
      review,
      noImprovement: { notify: [{ to: 'la', template: 'hall-green/attendance-deteriorating' }], tasks: [] },
    },
  ],
  // Stage 3 follows when "attendance deteriorates following the above actions".
  improvement: { escalateWhen: 'stillFalling', cites: cite(`${ABSENCE}: (Stage 3)`) },
  penaltyNotice: {
    request: { to: 'la', template: 'hall-green/penalty-notice-request' },
    cites: cite('National Framework for Penalty Notices'),
  },
  attendanceContract: { cites: cite(`${ABSENCE}: (Stage 2)`) },
  sicknessReturn: {
    schoolDays: 15,
    notify: { to: 'la', template: 'hall-green/sickness-return' },
    cites: cite('Understanding barriers to attendance'),
  },
});

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

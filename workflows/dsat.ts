import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { nationalDefaults } from './national.ts';

/** Diocese of Salisbury Academy Trust (Wiltshire and Dorset LAs): seed 004, all DSAT schools. */

const SEED = '004_ef9227a22b0492fb.txt';
const cite = (section: string) => ({ seed: SEED, section });
const MONITORING = '7. Responding to Absence: Monitoring Absence';
const BELOW_90 = '7. Responding to Absence: Pupils with attendance at 90% or below';
const sixWeeks = { amount: 6, unit: 'schoolWeeks' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(nationalDefaults, {
  id: 'dsat',
  name: 'DSAT schools',
  cites: cite(MONITORING),
  calendarId: 'wiltshire',
  targetPct: 96,
  bands: [
    { name: 'green', minPct: 96 },
    { name: 'yellow', minPct: 94 },
    { name: 'amber', minPct: 91 },
    { name: 'red', minPct: 0 },
  ],
  // "attendance is considered over a fixed period (typically 6 weeks) and reviewed at the end of the period".
  evaluation: { cadence: 'weekly', weekday: 1, period: sixWeeks },
  opening: { cites: cite(`${MONITORING}: 95%-94% optional 'yellow letter'`), when: { pctBelow: 96 }, onUnauthorisedAbsence: false },
  // The optional yellow letter is the gentlest: amber and red letters wait for approval.
  autoSend: ['dsat/yellow-letter'],
  stages: [
    { id: 'yellowLetter', name: 'Yellow letter', cites: cite(`${MONITORING}: 95%-94%`), letter: 'dsat/yellow-letter', review: sixWeeks },
    {
      id: 'amberLetter',
      name: 'Amber letter',
      cites: cite(`${MONITORING}: Between 93% and 91%`),
      letter: 'dsat/amber-letter',
      entersWhen: { pctBelow: 94 },
      review: sixWeeks,
    },
    {
      id: 'redLetter',
      name: 'Red letter',
      cites: cite(`${MONITORING}: 90% or under`),
      letter: 'dsat/red-letter',
      entersWhen: { pctAtOrBelow: 90 },
      meeting: { name: 'School Attendance Meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      review: sixWeeks,
    },
    {
      id: 'furtherMeeting',
      name: 'Further School Attendance Meeting',
      cites: cite(`${BELOW_90}: If, following an initial meeting, there is no improvement`),
      letter: 'dsat/further-meeting-invitation',
      follows: { steps: ['meetingHeld'], cites: cite(`${BELOW_90}: If, following an initial meeting, there is no improvement in attendance, a further meeting will be called`) },
      meeting: { name: 'further School Attendance Meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      // Wiltshire's Education Welfare Service or Dorset's Inclusion Lead.
      notify: [{ to: 'ewo', template: 'dsat/ews-involvement' }],
      review: sixWeeks,
      noImprovement: {
        notify: [{ to: 'ewo', template: 'dsat/penalty-recommendation' }],
        tasks: [{ kind: 'penaltyRecommendation', title: 'With the EWS/Inclusion Lead and the Chief Executive, consider recommending a fixed penalty', dueIn: { amount: 10, unit: 'schoolDays' } }],
      },
    },
  ],
  improvement: { escalateWhen: 'noImprovement', cites: cite(BELOW_90) },
  // The traffic light: each 6-week review sends the letter of the pupil's band, not the next in turn.
  lettersFollowBand: { cites: cite(`${MONITORING}: 'Traffic Light Approach to Attendance'`) },
  penaltyNotice: { cites: cite('7. Responding to Absence: Criteria for a fixed penalty fine') },
  childMissingEducation: {
    schoolDays: 10,
    notify: { to: 'ewo', template: 'dsat/missing-from-education-form' },
    cites: cite('9 Other Procedures: Children Missing from Education'),
  },
  severeAbsence: {
    task: { kind: 'multiAgencyPlan', title: 'Put a robust, multi-agency plan in place to support the child and family', dueIn: { amount: 10, unit: 'schoolDays' } },
    cites: cite(`${BELOW_90}: severely absent, 50% or lower`),
  },
});

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { nationalDefaults } from './national.ts';

/** West Coventry Academy (ATLP), secondary, Coventry LA: seed 000, "Attendance Policy 2024-25". */

const SEED = '000_87938e8188a90e1f.txt';
const APPENDIX_2 = 'Appendix 2 - Escalation Staged Approach';
const cite = (section: string) => ({ seed: SEED, section });
const homeVisit = {
  kind: 'homeVisit',
  title: 'Home visit by WCA staff or CSAWS to check the child is safe and well',
  dueIn: { amount: 5, unit: 'schoolDays' },
} as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(nationalDefaults, {
  id: 'west-coventry',
  name: 'West Coventry Academy',
  cites: cite('Appendix 2 - Escalation Staged Approach'),
  calendarId: 'coventry',
  // "Monitoring Attendance (KS3 and KS4) – Target for all students is 95% or above".
  targetPct: 95,
  // §11: "monitor and analyse weekly attendance patterns".
  evaluation: { cadence: 'weekly', weekday: 1 },
  opening: {
    cites: cite(`${APPENDIX_2}, Stage 1 Attendance Concern (Below 95%)`),
    when: { pctBelow: 95 },
    onUnauthorisedAbsence: true,
  },
  // Letter A is the first concern letter (Stage 1a): it goes without waiting for approval.
  autoSend: ['west-coventry/letter-a'],
  stages: [
    {
      id: 'stage1a',
      name: 'Stage 1a',
      cites: cite(`${APPENDIX_2}, STAGE 1a`),
      letter: 'west-coventry/letter-a',
      tasks: [
        { kind: 'exploreReasons', title: 'Tutor, pastoral leader or attendance officer explores the reasons for absence and offers support', dueIn: { amount: 5, unit: 'schoolDays' } },
        homeVisit,
      ],
      review: { amount: 4, unit: 'schoolWeeks' },
    },
    {
      id: 'stage1b',
      name: 'Stage 1b',
      cites: cite(`${APPENDIX_2}, STAGE 1b`),
      letter: 'west-coventry/letter-b',
      meeting: { name: 'Informal School Attendance Meeting', escalateIfNotAttended: true, dueIn: { amount: 10, unit: 'schoolDays' } },
      tasks: [
        { kind: 'actionPlan', title: 'Agree an Action Plan at the Informal School Attendance Meeting; discuss Early Help', dueIn: { amount: 10, unit: 'schoolDays' } },
        homeVisit,
      ],
      review: { amount: 4, unit: 'schoolWeeks' },
    },
    {
      id: 'stage2',
      name: 'Stage 2',
      cites: cite(`${APPENDIX_2}, Stage 2 Attendance Concern`),
      letter: 'west-coventry/letter-c',
      meeting: { name: 'Attendance Improvement Plan meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      notify: [
        { to: 'la', template: 'west-coventry/stage-2-case-discussion' },
        { to: 'ewo', template: 'west-coventry/csaws-referral' },
      ],
      tasks: [
        { kind: 'referral', title: 'Consider referrals: Family Support Worker, external agencies, ESNAAP', dueIn: { amount: 10, unit: 'schoolDays' } },
        homeVisit,
      ],
      review: { amount: 4, unit: 'schoolWeeks' },
    },
    {
      id: 'stage3',
      name: 'Stage 3',
      cites: cite(`${APPENDIX_2}, Stage 3 Attendance Concern`),
      meeting: { name: 'Team Around the Family Meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      // Letter D comes from the local authority, not the school.
      notify: [{ to: 'la', template: 'west-coventry/stage-3-referral' }],
      review: { amount: 4, unit: 'schoolWeeks' },
      noImprovement: {
        notify: [{ to: 'la', template: 'west-coventry/support-not-working' }],
        tasks: [
          { kind: 'formalSupport', title: 'Meet with the local authority: attendance contract, penalty notice or prosecution (s444(1)/(1A))', dueIn: { amount: 10, unit: 'schoolDays' } },
        ],
      },
    },
  ],
  improvement: { escalateWhen: 'noImprovement', cites: cite(`${APPENDIX_2}, STAGE 1b`) },
  noticeToImprove: {
    // "Parents/Carers may receive a 'Notice to Improve' period of 20 days from the Local Authority".
    improvementPeriod: { amount: 20, unit: 'schoolDays' },
    improvementPeriodRange: { min: 20, max: 20 },
    request: { to: 'la', template: 'west-coventry/notice-to-improve-request' },
    cites: cite(`${APPENDIX_2}, Stage 2 Attendance Concern`),
  },
  penaltyNotice: {
    request: { to: 'la', template: 'west-coventry/penalty-notice-request' },
    cites: cite(`${APPENDIX_2}, Stage 3 Attendance Concern`),
  },
  attendanceContract: { cites: cite('11. Addressing poor attendance and punctuality') },
  educationSupervisionOrder: { cites: cite('11. Addressing poor attendance and punctuality') },
  prosecution: { formalNotice: 'west-coventry/prosecution-formal-notice', cites: cite('11. Addressing poor attendance and punctuality') },
  unexplainedAbsence: {
    notify: { to: 'socialWorker', template: 'west-coventry/unexplained-absence' },
    cites: cite('10 Reasons for absence and how to report or request authorisation'),
  },
});

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { nationalDefaults } from './national.ts';

/**
 * Leading Futures Alternative Provision, Wolverhampton: seed 003. The home school is the legal
 * actor, so every legal step is a request to it.
 */

const SEED = '003_4bb4d0ddbf515433.txt';
const cite = (section: string) => ({ seed: SEED, section });
const APPENDIX_2 = 'Appendix 2 – Attendance Tracking, First Day Contact and Attendance/ Safeguarding Monitoring';
const threeWeeks = { amount: 3, unit: 'schoolWeeks' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(nationalDefaults, {
  id: 'leading-futures',
  name: 'Leading Futures Alternative Provision',
  cites: cite(APPENDIX_2),
  calendarId: 'wolverhampton',
  // The provision's letters turn on 90%: SAL 1 "under 90%", SAL 2 on a "drop 90%".
  targetPct: 90,
  // "Monitor attendance and absence data daily, weekly, half-termly..." (Attendance Monitoring).
  evaluation: { cadence: 'daily' },
  opening: { cites: cite(`${APPENDIX_2}: SAL 1 under 90%`), when: { pctBelow: 90 }, onUnauthorisedAbsence: false },
  autoSend: ['leading-futures/sal-1'],
  stages: [
    {
      id: 'sal1',
      name: 'SAL 1',
      cites: cite(`${APPENDIX_2}: SAL 1 under 90%; Reporting Attendance to Parents/ Carers`),
      letter: 'leading-futures/sal-1',
      tasks: [{ kind: 'meeting', title: 'Invite to an attendance meeting to discuss barriers', dueIn: { amount: 5, unit: 'schoolDays' } }],
      notify: [{ to: 'homeSchool', template: 'leading-futures/sal-1-copy' }],
      review: threeWeeks,
    },
    {
      id: 'sal2',
      name: 'SAL 2',
      cites: cite(`${APPENDIX_2}: SAL 2 – no improvement 3 wks/ drop 90%`),
      letter: 'leading-futures/sal-2',
      meeting: { name: 'School/Provision Attendance Support Meeting to set targets', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      notify: [{ to: 'homeSchool', template: 'leading-futures/sal-2-copy' }],
      review: threeWeeks,
    },
    {
      id: 'attendanceActionPlan',
      name: 'Attendance Action Plan',
      cites: cite(`${APPENDIX_2}: Attendance Action Plan Meeting – following 3 wk review; EWO; LA referrals`),
      meeting: { name: 'Attendance Action Plan Meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      notify: [
        { to: 'ewo', template: 'leading-futures/ewo-referral' },
        { to: 'homeSchool', template: 'leading-futures/action-plan' },
      ],
      review: threeWeeks,
      noImprovement: {
        notify: [{ to: 'homeSchool', template: 'leading-futures/legal-intervention-request' }],
        tasks: [{ kind: 'referral', title: "Refer to Wolverhampton Council's Attendance Support Team or Social Care", dueIn: { amount: 10, unit: 'schoolDays' } }],
      },
    },
  ],
  improvement: { escalateWhen: 'noImprovement', cites: cite(`${APPENDIX_2}: SAL 2 – no improvement 3 wks`) },
  legalRequestsTo: 'homeSchool',
  noticeToImprove: {
    // "A clear timeframe of between 3 and 6 weeks for the improvement period".
    improvementPeriod: { amount: 3, unit: 'schoolWeeks' },
    improvementPeriodRange: { min: 3, max: 6 },
    request: { to: 'homeSchool', template: 'leading-futures/notice-to-improve-request' },
    cites: cite('Notices to Improve'),
  },
  penaltyNotice: {
    request: { to: 'homeSchool', template: 'leading-futures/penalty-notice-request' },
    unpaid: { to: 'homeSchool', template: 'leading-futures/penalty-notice-unpaid' },
    cites: cite('Penalty Notices'),
  },
  attendanceContract: { cites: cite('Parents are expected to') },
  prosecution: { formalNotice: 'leading-futures/prosecution-formal-notice', cites: cite('Sanctions') },
  sicknessReturn: {
    schoolDays: 15,
    // The provision tells the home school, which has the statutory duty to tell the LA.
    notify: { to: 'homeSchool', template: 'leading-futures/sickness-15-days' },
    cites: cite('Learners Absent Due to Mental or Physical Ill Health or SEND'),
  },
  unexplainedAbsence: {
    notify: { to: 'homeSchool', template: 'leading-futures/unexplained-absence' },
    cites: cite('Following up Unexplained Absence'),
  },
  vulnerability: {
    cites: cite('Appendix 3 - Leading Futures Learner RAG Ratings'),
    // "every 1st / 3rd / 5th day of absence" for RED / AMBER / GREEN learners.
    faceToFaceEveryNthDay: { RED: 1, AMBER: 3, GREEN: 5 },
    task: { kind: 'faceToFaceContact', dueIn: { amount: 1, unit: 'schoolDays' } },
    riskAssessment: {
      rating: 'RED',
      task: { kind: 'riskAssessment', title: 'Complete the full risk assessment for a RED learner (Appendix 4)', dueIn: { amount: 5, unit: 'schoolDays' } },
    },
  },
});

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

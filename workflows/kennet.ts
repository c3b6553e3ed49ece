import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { cite, equinoxDefaults } from './equinox.ts';

/** Kennet School (Equinox Learning Trust), secondary, West Berkshire: seed 001, Appendix 1. */

const APPENDIX = "Appendix 1: Kennet School's Local Procedures";
const fortnight = { amount: 2, unit: 'schoolWeeks' } as const;
const nextDay = { amount: 1, unit: 'schoolDays' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(
  equinoxDefaults({
    id: 'kennet',
    appendix: APPENDIX,
    review: fortnight,
    bandActions: [
      { band: 'amber', task: { kind: 'contactHome', title: 'Contact home from the Tutor or Deputy Head of House (DHOH)', dueIn: nextDay }, cites: cite(`${APPENDIX}: 95%-91%: Amber: Contact home from Tutor/ Deputy Head of House (DHOH)`) },
      { band: 'red', task: { kind: 'headOfHouseAction', title: 'Head of House (HOH) action, with the Deputy Head of House (DHOH)', dueIn: nextDay }, cites: cite(`${APPENDIX}: 90% or lower: Red: Head of House (HOH)/DHOH action`) },
    ],
    letter3: {
      id: 'letter3',
      name: 'Letter 3',
      cites: cite(`${APPENDIX}: Letter 3: Attendance fails to improve following parental meeting and Attendance Support Contract`),
      letter: 'kennet/letter-3',
      follows: { steps: ['meetingHeld', 'contractAgreed'], cites: cite(`${APPENDIX}: Letter 3: Attendance fails to improve following parental meeting and Attendance Support Contract`) },
      meeting: { name: 'second parental meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      // "The Kennet School Education Welfare Office is aware of our concerns".
      notify: [{ to: 'ewo', template: 'kennet/ewo-aware' }],
      review: fortnight,
      noImprovement: {
        notify: [{ to: 'la', template: 'kennet/education-attendance-service-referral' }],
        tasks: [{ kind: 'referral', title: 'Refer to the Local Authority Education Attendance Service', dueIn: { amount: 5, unit: 'schoolDays' } }],
      },
    },
  }),
  {
    name: 'Kennet School',
    cites: cite(APPENDIX),
    // Heads of House review the letter thresholds fortnightly; the tracker is read on Monday mornings.
    evaluation: { cadence: 'fortnightly', weekday: 1 },
    absenceMilestones: {
      cites: cite(`${APPENDIX}: Single periods of absence`),
      milestones: [
        { id: 'oneDayInWeek', when: { daysAbsentInWeek: 1 }, task: { kind: 'tutorContact', title: 'Tutor contact with pupil', dueIn: nextDay } },
        { id: 'twoConsecutiveDays', when: { consecutiveDaysAbsent: 2 }, task: { kind: 'tutorContactHome', title: 'Tutor contact home', dueIn: nextDay } },
        { id: 'threeDaysInWeek', when: { daysAbsentInWeek: 3 }, task: { kind: 'houseTeamContactHome', title: 'House team contact home', dueIn: nextDay } },
      ],
    },
  },
);

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

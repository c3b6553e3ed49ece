import { extendPolicy } from '../src/domain/policy.ts';
import type { Duration, PolicyInput } from '../src/domain/policy.ts';
import { nationalDefaults } from './national.ts';

/**
 * What the three Equinox Learning Trust schools share (seed 001, trust sections): the 97%
 * expectation, the RAG bands, Letters 1 to 3 and the Attendance Support Contract. Each school's
 * workflow adds its own appendix: who acts, how often, and its third letter.
 */

export const SEED = '001_963d66da538685f0.txt';
export const cite = (section: string) => ({ seed: SEED, section });

export function equinoxDefaults(school: {
  id: string;
  appendix: string;
  review: Duration;
  letter3: PolicyInput['stages'][number];
  /** The appendix's "Absence thresholds for wider action" for its amber and red bands. */
  bandActions: NonNullable<PolicyInput['bandActions']>;
}): PolicyInput {
  const { id, appendix, review } = school;
  return extendPolicy(nationalDefaults, {
    id,
    calendarId: 'west-berkshire',
    // §4: "The minimum expectation for all pupils is attendance over the academic year of 97%".
    targetPct: 97,
    // Appendix RAG: 100%-96% green, 95%-91% amber, 90% or lower red.
    bands: [
      { name: 'green', minPct: 96 },
      { name: 'amber', minPct: 91 },
      { name: 'red', minPct: 0 },
    ],
    opening: { cites: cite(`${appendix}: Letter 1`), when: { pctBelow: 95 }, onUnauthorisedAbsence: false },
    autoSend: [`${id}/letter-1`],
    stages: [
      {
        id: 'letter1',
        name: 'Letter 1',
        cites: cite(`${appendix}: Letter 1: Attendance drops below 95%`),
        letter: `${id}/letter-1`,
        review,
      },
      {
        id: 'letter2',
        name: 'Letter 2',
        cites: cite(`${appendix}: Letter 2: Attendance does not improve and continues to fall since letter 1`),
        letter: `${id}/letter-2`,
        meeting: {
          name: 'meeting to agree an Attendance Support Contract',
          escalateIfNotAttended: false,
          dueIn: { amount: 10, unit: 'schoolDays' },
          agreesContract: true,
        },
        review,
      },
      {
        // §10: "third letter where there is concern that despite the Attendance Support contract there has been a further decline".
        follows: { steps: ['meetingHeld', 'contractAgreed'], cites: cite('10) Persistent Absence: Use of staged letters') },
        ...school.letter3,
      },
    ],
    bandActions: school.bandActions,
    improvement: { escalateWhen: 'stillFalling', cites: cite(`${appendix}: Letter 2`) },
    attendanceContract: { name: 'Attendance Support Contract', review, cites: cite('10) Persistent Absence') },
    penaltyNotice: { cites: cite('15) Legal Sanctions') },
  });
}

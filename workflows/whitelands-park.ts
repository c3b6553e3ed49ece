import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { cite, equinoxDefaults } from './equinox.ts';

/** Whitelands Park Primary School (Equinox Learning Trust), West Berkshire: seed 001, Appendix 3. */

const APPENDIX = "Appendix 3: Whiteland Park Primary School's Local Procedures";
const fortnight = { amount: 2, unit: 'schoolWeeks' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(
  equinoxDefaults({
    id: 'whitelands-park',
    appendix: APPENDIX,
    review: fortnight,
    bandActions: [
      { band: 'amber', task: { kind: 'headteacherContact', title: 'Contact home from the Headteacher, and invite the parents to a meeting', dueIn: { amount: 5, unit: 'schoolDays' } }, cites: cite(`${APPENDIX}: 95%-91%: Amber: Contact home from Headteacher and invite to meeting`) },
      { band: 'red', task: { kind: 'ewoReview', title: 'Headteacher and EWO review and action', dueIn: { amount: 5, unit: 'schoolDays' } }, cites: cite(`${APPENDIX}: 90% or lower: Red: Headteacher and EWO review and action`) },
    ],
    letter3: {
      id: 'letter3',
      name: 'Letter 3',
      cites: cite(`${APPENDIX}: Letter 3: Attendance under 90%- EWO involvement`),
      letter: 'whitelands-park/letter-3',
      entersWhen: { pctBelow: 90 },
      notify: [{ to: 'ewo', template: 'whitelands-park/ewo-involvement' }],
      review: fortnight,
      noImprovement: {
        notify: [{ to: 'ewo', template: 'whitelands-park/legal-absence-proceedings' }],
        tasks: [],
      },
    },
  }),
  {
    name: 'Whitelands Park Primary School',
    cites: cite(APPENDIX),
    // School leaders meet the Attendance Officer and EWO fortnightly on the letter thresholds.
    evaluation: { cadence: 'fortnightly', weekday: 1 },
  },
);

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

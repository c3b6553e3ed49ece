import { definePolicy } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';
import { cite, equinoxDefaults } from './equinox.ts';

/** Francis Baily Primary School (Equinox Learning Trust), West Berkshire: seed 001, Appendix 2. */

const APPENDIX = "Appendix 2: Francis Baily Primary School's Local Procedures";
const month = { amount: 4, unit: 'schoolWeeks' } as const;

export const MACHINE_VERSION = 1;

export const policy = definePolicy(
  equinoxDefaults({
    id: 'francis-baily',
    appendix: APPENDIX,
    review: month,
    bandActions: [
      { band: 'amber', task: { kind: 'contactHome', title: 'Contact home from the Headteacher', dueIn: { amount: 5, unit: 'schoolDays' } }, cites: cite(`${APPENDIX}: 95%-91%: Amber: Contact home from Headteacher, letter procedure triggered as below`) },
      { band: 'red', task: { kind: 'externalAgencies', title: 'Headteacher involves external agencies where appropriate', dueIn: { amount: 5, unit: 'schoolDays' } }, cites: cite(`${APPENDIX}: 90% or lower: Red: Headteacher and external agencies involved where appropriate`) },
    ],
    letter3: {
      id: 'letter3',
      name: 'Letter 3',
      cites: cite(`${APPENDIX}: Letter 3: Attendance under 90% - involvement of external agencies as appropriate`),
      letter: 'francis-baily/letter-3',
      // Letter 3 follows attendance under 90%, whether or not Letter 2 came first.
      entersWhen: { pctBelow: 90 },
      notify: [{ to: 'ewo', template: 'francis-baily/ewo-aware' }],
      tasks: [{ kind: 'externalAgencies', title: 'Headteacher involves external agencies where appropriate', dueIn: { amount: 10, unit: 'schoolDays' } }],
      review: month,
      noImprovement: {
        notify: [{ to: 'ewo', template: 'francis-baily/legal-absence-proceedings' }],
        tasks: [],
      },
    },
  }),
  {
    name: 'Francis Baily Primary School',
    cites: cite(APPENDIX),
    // School leaders meet monthly on the letter thresholds; the headteacher's RAG review is weekly.
    evaluation: { cadence: 'monthly', weekday: 1 },
  },
);

export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

import { definePolicy } from '../src/domain/policy.ts';
import type { PolicyInput } from '../src/domain/policy.ts';
import { defineWorkflow } from '../machines/workflow.ts';

/**
 * The DfE national defaults (Working together to improve school attendance, August 2024), as
 * every seed restates them. A school's workflow extends these through definePolicy and says only
 * what it does differently.
 */

// Seed 000 restates the national framework most fully; its sections are cited for the defaults.
const SEED = '000_87938e8188a90e1f.txt';
const WC_APPENDIX_2 = { seed: SEED, section: 'Appendix 2 - Escalation Staged Approach' };
const WC_SECTION_11 = { seed: SEED, section: '11. Addressing poor attendance and punctuality' };

export const nationalDefaults = {
  id: 'national',
  name: 'DfE national defaults',
  cites: WC_SECTION_11,
  calendarId: null,
  targetPct: 95,
  // Persistent absence at 90% or below; severe absence at 50% or below (DOMAIN "Bands and thresholds").
  bands: [
    { name: 'expected', minPct: 95 },
    { name: 'atRisk', minPct: 90.01 },
    { name: 'persistentAbsence', minPct: 50.01 },
    { name: 'severeAbsence', minPct: 0 },
  ],
  evaluation: { cadence: 'weekly', weekday: 1, nightlyAt: '18:00' },
  opening: {
    cites: WC_APPENDIX_2,
    when: { pctBelow: 95 },
    onUnauthorisedAbsence: true,
  },
  // The first concern letter explores reasons and offers support: it goes without waiting.
  autoSend: ['national/first-letter'],
  tasksDueIn: { amount: 5, unit: 'schoolDays' },
  stages: [
    {
      id: 'stage1a',
      name: 'Stage 1a',
      cites: WC_APPENDIX_2,
      letter: 'national/first-letter',
      tasks: [{ kind: 'contactParents', title: 'Explore the reasons for absence with the family and offer support', dueIn: { amount: 5, unit: 'schoolDays' } }],
      review: { amount: 4, unit: 'schoolWeeks' },
    },
    {
      id: 'stage1b',
      name: 'Stage 1b',
      cites: WC_APPENDIX_2,
      letter: 'national/second-letter',
      meeting: { name: 'informal attendance meeting', escalateIfNotAttended: true, dueIn: { amount: 10, unit: 'schoolDays' } },
      tasks: [{ kind: 'earlyHelp', title: 'Discuss early help or other external support', dueIn: { amount: 10, unit: 'schoolDays' } }],
      review: { amount: 4, unit: 'schoolWeeks' },
    },
    {
      id: 'stage2',
      name: 'Stage 2',
      cites: WC_APPENDIX_2,
      letter: 'national/third-letter',
      meeting: { name: 'Attendance Improvement Plan meeting', escalateIfNotAttended: false, dueIn: { amount: 10, unit: 'schoolDays' } },
      notify: [{ to: 'la', template: 'national/case-discussion' }],
      review: { amount: 4, unit: 'schoolWeeks' },
      noImprovement: {
        notify: [{ to: 'la', template: 'national/support-not-working' }],
        tasks: [{ kind: 'formalSupport', title: 'Support is not working: agree formal support or legal intervention with the local authority', dueIn: { amount: 10, unit: 'schoolDays' } }],
      },
    },
  ],
  improvement: { escalateWhen: 'noImprovement', cites: WC_APPENDIX_2 },
  considerations: { dueIn: { amount: 5, unit: 'schoolDays' }, cites: WC_SECTION_11 },
  legalRequestsTo: 'la',
  noticeToImprove: {
    name: 'Notice to Improve',
    // The DfE allows 3 to 6 weeks; the LA code of conduct sets it (seed 003 "Notices to Improve").
    improvementPeriod: { amount: 3, unit: 'schoolWeeks' },
    improvementPeriodRange: { min: 3, max: 6 },
    request: { to: 'la', template: 'national/notice-to-improve-request' },
    cites: { seed: '003_4bb4d0ddbf515433.txt', section: 'Notices to Improve' },
  },
  penaltyNotice: {
    request: { to: 'la', template: 'national/penalty-notice-request' },
    unpaid: { to: 'la', template: 'national/penalty-notice-unpaid' },
    cites: WC_SECTION_11,
  },
  attendanceContract: {
    name: 'attendance contract',
    review: { amount: 4, unit: 'schoolWeeks' },
    meetingDueIn: { amount: 10, unit: 'schoolDays' },
    cites: WC_SECTION_11,
  },
  educationSupervisionOrder: {
    initial: { amount: 1, unit: 'years' },
    extension: { amount: 3, unit: 'months' },
    maximum: { amount: 3, unit: 'years' },
    cites: WC_SECTION_11,
  },
  prosecution: { formalNotice: 'national/prosecution-formal-notice', cites: WC_SECTION_11 },
  sicknessReturn: {
    schoolDays: 15,
    notify: { to: 'la', template: 'national/sickness-return' },
    cites: { seed: '002_531f2d3b054c9100.txt', section: 'Understanding barriers to attendance' },
  },
  unexplainedAbsence: {
    notify: { to: 'socialWorker', template: 'national/unexplained-absence' },
    cites: { seed: SEED, section: '6. Working together with others' },
  },
} satisfies PolicyInput;

export const MACHINE_VERSION = 1;
export const policy = definePolicy(null, nationalDefaults);
export const workflow = defineWorkflow({ policy, version: MACHINE_VERSION, migrations: {} });
export const diagram = workflow.diagram;

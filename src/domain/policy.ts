import { z } from 'zod';

/**
 * A workflow policy: one school's (or trust's) attendance policy as data. Each workflow file in
 * `workflows/` is one of these, validated here, and the escalation machine is built from it.
 */

const camelCase = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'camelCase, in the policy’s own words');
const templateId = z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'like west-coventry/letter-a');

/** Where in the seed policy a rule comes from, so every setting can be checked against its source. */
export const citationSchema = z.object({
  seed: z.string().regex(/^\d{3}_[0-9a-f]{16}\.txt$/),
  section: z.string().min(1),
});
export type Citation = z.infer<typeof citationSchema>;

/**
 * School days and school weeks count only days the school is open (from its calendar); days,
 * weeks, months and years are calendar time (payment windows, court time limits, orders).
 */
export const durationSchema = z.object({
  amount: z.number().int().positive(),
  unit: z.enum(['schoolDays', 'schoolWeeks', 'days', 'weeks', 'months', 'years']),
});
export type Duration = z.infer<typeof durationSchema>;

const UNIT_WORDS: Record<Duration['unit'], [string, string]> = {
  schoolDays: ['school day', 'school days'],
  schoolWeeks: ['school week', 'school weeks'],
  days: ['day', 'days'],
  weeks: ['week', 'weeks'],
  months: ['month', 'months'],
  years: ['year', 'years'],
};

/** "20 school days", "1 year": how a policy says it. */
export function describeDuration({ amount, unit }: Duration): string {
  return `${amount} ${UNIT_WORDS[unit][amount === 1 ? 0 : 1]}`;
}

export const recipientSchema = z.enum(['ewo', 'la', 'socialWorker', 'homeSchool']);
export type Recipient = z.infer<typeof recipientSchema>;

const notificationSchema = z.object({ to: recipientSchema, template: templateId });
export type Notification = z.infer<typeof notificationSchema>;

const taskSchema = z.object({ kind: camelCase, title: z.string().min(1), dueIn: durationSchema });
export type TaskRule = z.infer<typeof taskSchema>;

/** "Below 95%" and "90% or under" are both used by the seeds; keep each in its own words. */
export const pctConditionSchema = z.union([
  z.object({ pctBelow: z.number().min(0).max(100) }),
  z.object({ pctAtOrBelow: z.number().min(0).max(100) }),
]);
export type PctCondition = z.infer<typeof pctConditionSchema>;

/** Steps a school records at a stage: the meeting held with a parent there, the attendance contract agreed. */
export const stageStepSchema = z.enum(['meetingHeld', 'contractAgreed']);
export type StageStep = z.infer<typeof stageStepSchema>;

export const stageSchema = z.object({
  id: camelCase,
  name: z.string().min(1),
  cites: citationSchema,
  /** Sent to every parent when the case escalates into this stage. */
  letter: templateId.optional(),
  /** A stage deeper than the first may be entered directly when attendance is already this low. */
  entersWhen: pctConditionSchema.optional(),
  meeting: z
    .object({
      name: z.string().min(1),
      /** A parent who misses it escalates the case (West Coventry stage 2, for instance). */
      escalateIfNotAttended: z.boolean(),
      dueIn: durationSchema,
      agreesContract: z
        .boolean()
        .default(false)
        .describe('The meeting is to agree the attendance contract: the stage records it agreed or declined, and the contract’s own review is the stage’s next review'),
    })
    .optional(),
  follows: z
    .object({ steps: z.array(stageStepSchema).min(1), cites: citationSchema })
    .optional()
    .describe('What must be recorded at the stage before, before a review escalates into this one: a review date alone never stands in for a meeting'),
  notify: z.array(notificationSchema).default([]),
  tasks: z.array(taskSchema).default([]),
  review: durationSchema,
  /** What the last stage does when attendance still has not improved: it has nowhere to escalate. */
  noImprovement: z
    .object({ notify: z.array(notificationSchema).default([]), tasks: z.array(taskSchema).default([]) })
    .optional(),
});
export type Stage = z.infer<typeof stageSchema>;

export const cadenceSchema = z.enum(['daily', 'weekly', 'fortnightly', 'monthly']);
export type Cadence = z.infer<typeof cadenceSchema>;

const vulnerabilityRatingSchema = z.enum(['RED', 'AMBER', 'GREEN']);
export type VulnerabilityRating = z.infer<typeof vulnerabilityRatingSchema>;

export const policySchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z-]*$/),
    name: z.string().min(1),
    cites: citationSchema,
    /** LA id of the term dates in workflows/calendars; the national defaults have none. */
    calendarId: z.string().nullable(),
    targetPct: z.number().min(0).max(100),
    /** RAG bands, highest first; a pupil is in the first band whose minPct they reach. */
    bands: z.array(z.object({ name: z.string(), minPct: z.number().min(0).max(100) })).min(1),
    evaluation: z.object({
      /** How often attendance is reviewed against the letter thresholds. */
      cadence: cadenceSchema,
      /** 1 = Monday; the day of the week weekly and fortnightly reviews happen. */
      weekday: z.number().int().min(1).max(5).default(1),
      /** Local time of the nightly evaluation run (the service schedules it). */
      nightlyAt: z.string().regex(/^\d\d:\d\d$/),
      /** A fixed period attendance is measured over (DSAT's traffic light), else year to date. */
      period: durationSchema.optional(),
    }),
    opening: z.object({
      cites: citationSchema,
      when: pctConditionSchema,
      /** Any unauthorised absence (G, O, U) opens a case too. */
      onUnauthorisedAbsence: z.boolean(),
      /** Late arrivals (L and U) in the period that make punctuality a concern. */
      onLates: z.number().int().positive().optional(),
    }),
    stages: z.array(stageSchema).min(1),
    lettersFollowBand: z
      .object({ cites: citationSchema })
      .optional()
      .describe('Each review sends the letter of the band the pupil is in over the period (up or down), not the next letter in turn; a stage with no band of its own is reached by no improvement'),
    bandActions: z
      .array(z.object({ band: z.string().min(1), task: taskSchema, cites: citationSchema }))
      .optional()
      .describe('The staff action each RAG band gets at the weekly attendance review, for a pupil with a case'),
    improvement: z.object({
      /**
       * noImprovement: escalate unless attendance rose since the last letter;
       * stillFalling: escalate only when it "continues to fall since letter 1" (Equinox).
       */
      escalateWhen: z.enum(['noImprovement', 'stillFalling']),
      cites: citationSchema,
    }),
    /**
     * Low-stakes stage letters (a first concern letter) sent without waiting for a person's
     * approval; every other letter and every legal step waits, held, for one.
     */
    autoSend: z.array(templateId).default([]),
    /** When a staff task the policy gives no date for falls due. */
    tasksDueIn: durationSchema,
    /** The five considerations are statutory; who records them and how soon is the school's. */
    considerations: z.object({ dueIn: durationSchema, cites: citationSchema }),
    /** Who legal steps are asked of: the LA, or (an alternative provision) the pupil's home school. */
    legalRequestsTo: z.enum(['la', 'homeSchool']),
    noticeToImprove: z.object({
      name: z.string().min(1),
      improvementPeriod: durationSchema,
      /** Where the LA code lets the period be set case by case ("between 3 and 6 weeks"), in its unit. */
      improvementPeriodRange: z.object({ min: z.number().int().positive(), max: z.number().int().positive() }).optional(),
      request: notificationSchema,
      cites: citationSchema,
    }),
    penaltyNotice: z.object({ request: notificationSchema, unpaid: notificationSchema, cites: citationSchema }),
    attendanceContract: z.object({
      name: z.string().min(1),
      review: durationSchema,
      meetingDueIn: durationSchema,
      cites: citationSchema,
    }),
    educationSupervisionOrder: z.object({
      initial: durationSchema,
      extension: durationSchema,
      maximum: durationSchema,
      cites: citationSchema,
    }),
    prosecution: z.object({ formalNotice: templateId, cites: citationSchema }),
    sicknessReturn: z.object({
      schoolDays: z.number().int().positive(),
      notify: notificationSchema,
      cites: citationSchema,
    }),
    /** Social workers and YOT workers hear of every unexplained absence of their pupils. */
    unexplainedAbsence: z.object({ notify: notificationSchema, cites: citationSchema }),
    childMissingEducation: z
      .object({ schoolDays: z.number().int().positive(), notify: notificationSchema, cites: citationSchema })
      .optional(),
    severeAbsence: z.object({ task: taskSchema, cites: citationSchema }).optional(),
    /** Staff actions for single periods of absence (Kennet's weekly milestones). */
    absenceMilestones: z
      .object({
        cites: citationSchema,
        milestones: z
          .array(
            z.object({
              id: camelCase,
              when: z.union([
                z.object({ daysAbsentInWeek: z.number().int().positive() }),
                z.object({ consecutiveDaysAbsent: z.number().int().positive() }),
              ]),
              task: taskSchema,
            }),
          )
          .min(1),
      })
      .optional(),
    /** Leading Futures: the learner's vulnerability RAG sets how often staff see them when absent. */
    vulnerability: z
      .object({
        cites: citationSchema,
        faceToFaceEveryNthDay: z.record(vulnerabilityRatingSchema, z.number().int().positive()),
        task: taskSchema.omit({ title: true }),
        riskAssessment: z.object({ rating: vulnerabilityRatingSchema, task: taskSchema }),
      })
      .optional(),
  })
  .superRefine((policy, ctx) => {
    const ids = policy.stages.map((stage) => stage.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'stage ids must be unique' });
    const bands = policy.bands.map((band) => band.minPct);
    if (bands.some((pct, i) => i > 0 && pct >= (bands[i - 1] ?? Infinity)))
      ctx.addIssue({ code: 'custom', message: 'bands must be listed highest first' });
    for (const { band } of policy.bandActions ?? [])
      if (!policy.bands.some((candidate) => candidate.name === band))
        ctx.addIssue({ code: 'custom', path: ['bandActions'], message: `${band} is not one of the policy's bands` });
    if (policy.stages[0]?.follows) ctx.addIssue({ code: 'custom', message: 'the first stage follows no stage' });
    policy.stages.forEach((stage, i) => {
      const meeting = policy.stages[i - 1]?.meeting;
      for (const step of stage.follows?.steps ?? [])
        if (!meeting || (step === 'contractAgreed' && !meeting.agreesContract))
          ctx.addIssue({ code: 'custom', path: ['stages', i, 'follows'], message: `${step}: the stage before ${stage.id} has no meeting that records it` });
    });
    if (policy.stages[0]?.entersWhen)
      ctx.addIssue({ code: 'custom', message: 'the first stage is entered through opening.when' });
    // Only a stage's own letter can skip approval: a formal notice of prosecution never can.
    const stageLetters = new Set(policy.stages.map((stage) => stage.letter));
    for (const template of policy.autoSend.filter((t) => !stageLetters.has(t)))
      ctx.addIssue({ code: 'custom', path: ['autoSend'], message: `${template} is not a stage letter of this policy, so it cannot be sent without approval` });
  });

export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

type Override<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: Override<T[K]> } : T;
/** What a school changes in a base policy: nested objects merge, arrays and values replace. */
export type PolicyOverrides = Override<PolicyInput>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = merge(base[key], value);
  return merged;
}

/** A base for other policies (a trust's shared rules), not yet a whole policy on its own. */
export function extendPolicy(base: PolicyInput, overrides: PolicyOverrides): PolicyInput {
  return merge(base, overrides) as PolicyInput;
}

/**
 * A school's policy as the national defaults (or any base) plus what the school says differently,
 * validated as a whole so an override can never leave a policy half-formed.
 */
export function definePolicy(base: PolicyInput | null, overrides: PolicyOverrides): Policy {
  return policySchema.parse(merge(base ?? {}, overrides));
}

export function meetsPct(pct: number | null, condition: PctCondition): boolean {
  if (pct === null) return false;
  return 'pctBelow' in condition ? pct < condition.pctBelow : pct <= condition.pctAtOrBelow;
}

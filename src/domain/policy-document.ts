import { z } from 'zod';
import { cadenceSchema, durationSchema, pctConditionSchema, recipientSchema, stageSchema } from './policy.ts';

/**
 * A school's own policy as a document: the built-in workflow it starts from and what its policy
 * says differently. Each field's description is the one declaration the policy page's form, its
 * help text and the API description all read, so what a field means is said once.
 */

const templateId = z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'like west-coventry/letter-a');
const notification = z.object({ to: recipientSchema, template: templateId }).strict();

/** The statutory rules no school's policy can change, named as the guidance names them. */
export const GUARDRAILS = {
  considerations:
    'the five considerations before a legal route (support, whether a penalty notice is the best tool, a Notice to Improve, another legal intervention, reasonable adjustments) are set by national guidance: a school’s policy cannot remove or change them',
  noticeCap: 'at most two penalty notices to one parent for one child within three years (the 2024 regulations): a school’s policy cannot change the cap',
  paymentWindows: 'a penalty notice is paid at the reduced rate within 21 days and in full within 28 days (the 2024 regulations): a school’s policy cannot change the windows',
  prosecutionLimit: 'a prosecution must be laid within six months of the offence (Magistrates’ Courts Act 1980, s127): a school’s policy cannot change the limit',
} as const;
export type Guardrail = keyof typeof GUARDRAILS;

/** States of the escalation chart a stage id may not take: they are the chart's own. */
const RESERVED_STAGE_IDS = ['open', 'closed', 'considering', 'noticeToImprove', 'penaltyNotice', 'attendanceContract', 'educationSupervisionOrder', 'prosecution', 'monitoring'];

const stageOverride = stageSchema.extend({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'one word in camelCase, e.g. stage1a').refine((id) => !RESERVED_STAGE_IDS.includes(id), 'that name belongs to the escalation’s legal steps; call the stage something else'),
  name: z.string().min(1).max(80).describe('The stage’s name as staff and letters call it, e.g. “Stage 1a”.'),
  letter: templateId.optional().describe('The letter every parent is sent when the case reaches this stage; leave out for none.'),
  meeting: stageSchema.shape.meeting.describe('The meeting with parents at this stage: its name, how soon it is held, and whether a parent who misses it moves the case on.'),
  review: durationSchema.describe('How long after reaching this stage attendance is reviewed again.'),
  notify: z.array(notification).max(10).default([]).describe('Who is told when a case reaches this stage (EWO, the LA, a social worker, a home school), and with which template.'),
});

export const policyOverridesSchema = z
  .object({
    name: z.string().trim().min(1).max(120).optional().describe('The policy’s name as the school calls it, shown to staff.'),
    targetPct: z.number().min(50).max(100).optional().describe('The attendance every pupil is expected to reach, in per cent; a case closes as improved when a pupil is back at it.'),
    bands: z
      .array(z.object({ name: z.string().trim().min(1).max(60), minPct: z.number().min(0).max(100) }).strict())
      .min(1)
      .max(8)
      .optional()
      .describe('Attendance bands, highest first: a pupil is in the first band whose lowest percentage they reach.'),
    evaluation: z
      .object({
        cadence: cadenceSchema.optional().describe('How often attendance is reviewed against the policy: daily, weekly, fortnightly or monthly.'),
        weekday: z.number().int().min(1).max(5).optional().describe('The day of the week a weekly or fortnightly review happens: 1 is Monday, 5 is Friday.'),
        period: durationSchema.optional().describe('Measure attendance over this recent period instead of the year to date; leave out for the year to date.'),
      })
      .strict()
      .optional(),
    opening: z
      .object({
        when: pctConditionSchema.optional().describe('The attendance at which a case opens (below, or at or below, a percentage).'),
        onUnauthorisedAbsence: z.boolean().optional().describe('Whether any unauthorised absence (codes G, O, U) opens a case too.'),
      })
      .strict()
      .optional(),
    stages: z.array(stageOverride.strict()).min(1).max(8).optional().describe('The stages a case escalates through, in order, with each stage’s letter, meeting, review period and who is told.'),
    autoSend: z.array(templateId).max(8).optional().describe('Stage letters sent without waiting for a person’s approval (a first concern letter); every other letter and every legal step waits for one.'),
    tasksDueIn: durationSchema.optional().describe('When a staff task falls due where the policy gives it no date of its own.'),
    noticeToImprove: z
      .object({
        improvementPeriod: durationSchema.optional().describe('How long a parent has to improve after a Notice to Improve; it must lie within the range the local authority’s code of conduct sets.'),
      })
      .strict()
      .optional(),
    attendanceContract: z
      .object({
        review: durationSchema.optional().describe('How often an attendance contract is reviewed.'),
        meetingDueIn: durationSchema.optional().describe('How soon the meeting to agree an attendance contract is held.'),
      })
      .strict()
      .optional(),
    sicknessReturn: z
      .object({
        schoolDays: z.number().int().min(1).max(60).optional().describe('After how many school days of illness the local authority is told.'),
        notify: notification.optional().describe('Who is told of a long illness, and with which template.'),
      })
      .strict()
      .optional(),
    unexplainedAbsence: z
      .object({ notify: notification.optional().describe('Who hears of every unexplained absence of a pupil with a social worker, and with which template.') })
      .strict()
      .optional(),
  })
  .strict();
export type PolicyOverridesDoc = z.output<typeof policyOverridesSchema>;

const MAX_DEPTH = 12;

/** Which guardrail a key of an override reaches for, if any: by where it is and what it is called. */
function guardrailOf(path: readonly string[]): Guardrail | null {
  const key = path.at(-1) ?? '';
  if (/consideration/i.test(key)) return 'considerations';
  if (/(reduced|fullRate|window|paidBy|payWithin|paymentDays|rateDays)/i.test(key)) return 'paymentWindows';
  if (/(timeLimit|limitMonths|deadline)/i.test(key) || (path[0] === 'prosecution' && path.length > 1)) return 'prosecutionLimit';
  if (/(maxNotices|noticeCap|cap|periodYears|noticesIn|maxPenalty)/i.test(key)) return 'noticeCap';
  if (path.length > 1 && (path[0] === 'penaltyNotice' || path[0] === 'penaltyNotices')) return 'noticeCap';
  return null;
}

/** Every key of a raw override that reaches for a statutory rule, with the rule it names. */
export function guardrailIssues(raw: unknown, path: string[] = [], depth = 0): { path: string[]; rule: Guardrail }[] {
  // A policy is a few levels deep; what lies deeper is refused by the shape, not walked here.
  if (typeof raw !== 'object' || raw === null || depth > MAX_DEPTH) return [];
  const issues: { path: string[]; rule: Guardrail }[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const here = Array.isArray(raw) ? path : [...path, key];
    const rule = Array.isArray(raw) ? null : guardrailOf(here);
    if (rule) issues.push({ path: here, rule });
    else {
      const inside = guardrailIssues(value, here, depth + 1);
      // Penalty notices and prosecution follow national rules only: touching them at all reaches for one.
      if (inside.length === 0 && here.length === 1 && (key === 'penaltyNotice' || key === 'prosecution'))
        inside.push({ path: here, rule: key === 'prosecution' ? 'prosecutionLimit' : 'noticeCap' });
      issues.push(...inside);
    }
  }
  return issues;
}

/**
 * The overrides as the school sent them: a key that reaches for a statutory guardrail is refused
 * with the rule it would break, before the shape is checked, so the refusal says why.
 */
export const guardedOverridesSchema = z
  .unknown()
  .superRefine((raw, ctx) => {
    for (const { path, rule } of guardrailIssues(raw)) ctx.addIssue({ code: 'custom', path, message: `statutory rule: ${GUARDRAILS[rule]}` });
  })
  .pipe(policyOverridesSchema);

export const policyDocumentSchema = z
  .object({
    base: z.string().regex(/^[a-z][a-z-]*$/).max(60).describe('The built-in policy the school’s policy starts from (the national defaults or one of the model policies).'),
    overrides: guardedOverridesSchema.describe('What the school’s own policy says differently from the policy it starts from.'),
  })
  .strict();
export type PolicyDocument = z.output<typeof policyDocumentSchema>;

type Walkable = z.ZodType & { description?: string };

/** What a field of the overrides means, from its declaration: `stages.0.review` → its description. */
export function fieldHelp(path: string): string | undefined {
  let node: Walkable | undefined = policyOverridesSchema;
  let help: string | undefined;
  for (const segment of path.split('.')) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, Walkable>)[segment];
    else if (node instanceof z.ZodArray && /^\d+$/.test(segment)) node = node.element as Walkable;
    else return undefined;
    help = node?.description;
    for (let inner = node; inner && (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault); ) {
      inner = inner.unwrap() as Walkable;
      help ??= inner.description;
    }
  }
  return help;
}

function unwrap(node: Walkable | undefined): Walkable | undefined {
  let current = node;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPipe) {
    current = (current instanceof z.ZodPipe ? current.out : current.unwrap()) as Walkable;
  }
  return current;
}

// A school's policy document made whole: its base workflow with its overrides, checked as one
// policy, with the Notice to Improve period inside its local authority's range.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { createEscalationMachine } from '../../machines/escalation.ts';
import { toMermaid } from '../../machines/diagram.ts';
import type { Workflow } from '../../machines/workflow.ts';
import { describeDuration, extendPolicy, policySchema, type Duration, type Policy, type PolicyInput, type PolicyOverrides } from '../domain/policy.ts';
import { policyDocumentSchema, type PolicyDocument } from '../domain/policy-document.ts';
import { localAuthorityName } from '../domain/local-authority.ts';
import { AppError } from '../errors.ts';
import { allTemplates, templateKind } from '../letters/catalogue.ts';
import { WORKFLOWS } from '../../workflows/index.ts';
import { builtInCalendarId } from '../../workflows/calendars/index.ts';

export interface Problem {
  field: string;
  message: string;
}

/** Refused with every problem, each naming its field: nothing is saved. */
export function policyRefused(problems: Problem[]): AppError {
  return new AppError(422, 'policy_invalid', `the policy cannot be used: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`.slice(0, 2000), { problems: problems.slice(0, 50) });
}

const issuesOf = (error: z.ZodError, prefix: string[] = []): Problem[] =>
  error.issues.map((issue) => ({ field: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message }));

/** A Notice to Improve's improvement period as the LA's code of conduct allows it, in school days. */
export interface NtiRange {
  min: number;
  max: number;
  unit: 'schoolDays' | 'schoolWeeks';
  /** Whose range it is, in words: "Coventry’s code of conduct" or "the national guidance". */
  source: string;
}

const inSchoolDays = (amount: number, unit: string) => (unit === 'schoolWeeks' ? amount * 5 : amount);

/**
 * The range the local authority's code of conduct sets for the improvement period: the one a
 * built-in policy of that LA records, else the national guidance's 3 to 6 weeks.
 */
export function ntiRangeFor(localAuthority: string): NtiRange {
  const calendarId = builtInCalendarId(localAuthority);
  const local = Object.values(WORKFLOWS).find((w) => calendarId !== null && w.policy.calendarId === calendarId && w.policy.noticeToImprove.improvementPeriodRange);
  const national = WORKFLOWS.national!.policy.noticeToImprove;
  const { noticeToImprove } = local?.policy ?? WORKFLOWS.national!.policy;
  const range = (local ? noticeToImprove : national).improvementPeriodRange!;
  const unit = (local ? noticeToImprove : national).improvementPeriod.unit === 'schoolDays' ? 'schoolDays' : 'schoolWeeks';
  return { ...range, unit, source: local ? `${localAuthorityName(calendarId!)}’s code of conduct` : 'the national guidance' };
}

export const describeRange = (range: NtiRange) =>
  range.min === range.max ? describeDuration({ amount: range.min, unit: range.unit }) : `${range.min} to ${describeDuration({ amount: range.max, unit: range.unit })}`;

/** Parses a document as sent (JSON already read): its shape and the guardrails, before anything else. */
export function parseDocument(raw: unknown): PolicyDocument {
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) throw policyRefused(issuesOf(parsed.error));
  return parsed.data;
}

/**
 * The whole policy of a school from its document: the base's rules with the school's changes,
 * valid as a policy, with letters that exist, and a Notice to Improve period its LA allows.
 */
export function composePolicy(document: PolicyDocument, localAuthority: string): Policy {
  const base = WORKFLOWS[document.base];
  if (!base) throw policyRefused([{ field: 'base', message: `no built-in policy '${document.base}' (there are: ${Object.keys(WORKFLOWS).join(', ')})` }]);
  const range = ntiRangeFor(localAuthority);
  const merged = extendPolicy(base.policy as PolicyInput, document.overrides as PolicyOverrides);
  const parsed = policySchema.safeParse({
    ...merged,
    noticeToImprove: { ...merged.noticeToImprove, improvementPeriodRange: { min: range.min, max: range.max } },
  });
  if (!parsed.success) throw policyRefused(issuesOf(parsed.error, ['overrides']));
  const policy = parsed.data;
  const problems: Problem[] = [];
  const period: Duration = policy.noticeToImprove.improvementPeriod;
  const days = inSchoolDays(period.amount, period.unit);
  const [minDays, maxDays] = [inSchoolDays(range.min, range.unit), inSchoolDays(range.max, range.unit)];
  if (!['schoolDays', 'schoolWeeks'].includes(period.unit) || days < minDays || days > maxDays)
    problems.push({ field: 'overrides.noticeToImprove.improvementPeriod', message: `${describeDuration(period)} is outside ${range.source}’s range for a Notice to Improve (${describeRange(range)})` });
  // The range a notice's own period is chosen in, in the unit the school's period is given in.
  policy.noticeToImprove.improvementPeriodRange =
    period.unit === 'schoolWeeks' ? { min: Math.ceil(minDays / 5), max: Math.floor(maxDays / 5) } : { min: minDays, max: maxDays };
  const known = new Set(allTemplates());
  policy.stages.forEach((stage, i) => {
    if (stage.letter && (!known.has(stage.letter) || templateKind(stage.letter) !== 'letter'))
      problems.push({ field: `overrides.stages.${i}.letter`, message: `${stage.letter} is not a letter to parents the service holds` });
    stage.notify.forEach((n, j) => {
      if (!known.has(n.template) || templateKind(n.template) !== 'notification') problems.push({ field: `overrides.stages.${i}.notify.${j}.template`, message: `${n.template} is not a notification the service holds` });
    });
  });
  if (problems.length) throw policyRefused(problems);
  return policy;
}

/** A stable key for a document: equal documents of schools in the same LA share one composed policy and machine. */
export function documentKey(document: unknown, localAuthority: string): string {
  return createHash('sha256').update(JSON.stringify([document, builtInCalendarId(localAuthority) ?? localAuthority])).digest('base64url');
}

const composed = new Map<string, Workflow>();
const MAX_COMPOSED = 500;

/**
 * The school's policy as a workflow: the base's machine id and version (so its migrations still
 * apply) running the school's policy. Kept per document, so a version's machine is built once.
 */
export function schoolWorkflow(document: unknown, localAuthority: string): Workflow {
  const key = documentKey(document, localAuthority);
  let workflow = composed.get(key);
  if (!workflow) {
    const parsed = parseDocument(document);
    const policy = composePolicy(parsed, localAuthority);
    const base = WORKFLOWS[parsed.base]!;
    let diagram: string | null = null;
    workflow = {
      ...base,
      policy,
      createMachine: (calendar) => createEscalationMachine(policy, { version: base.version, calendar }),
      get diagram() {
        return (diagram ??= toMermaid(createEscalationMachine(policy, { version: base.version })));
      },
    };
    if (composed.size >= MAX_COMPOSED) composed.delete(composed.keys().next().value!);
    composed.set(key, workflow);
  }
  return workflow;
}

// What a trust and a school are made of when someone sets them up: one declaration for the API's
// bodies, the pages' forms and the CLI's flags, each problem said in the words of the form.
import { z } from 'zod';
import { localAuthorityId } from '../domain/local-authority.ts';
import type { Policy, Recipient } from '../domain/policy.ts';
import { SCHOOL_PHASES, type School, type SchoolMailboxes } from '../store/types.ts';
import { WORKFLOWS, getWorkflow } from '../../workflows/index.ts';

const words = (what: string, most: number) =>
  z.string().trim().min(1, `enter the ${what}`).max(most, `the ${what} is at most ${most} characters`);

/** A field a form may leave empty: empty means not given. */
const optional = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .trim()
    .max(400)
    .optional()
    .transform((text) => (text ? text : undefined))
    .pipe(schema.optional());

const mailbox = (what: string) => optional(z.email(`the ${what} address is not an email address`).max(320, 'an email address is at most 320 characters').toLowerCase());

export const MAILBOX_LABELS: Record<keyof SchoolMailboxes, string> = {
  office: 'School office (letters are sent from it, and replies come to it)',
  ewo: 'Education welfare officer or attendance service',
  la: 'Local authority attendance team',
  homeSchool: 'Home school (alternative provision only)',
};

export const mailboxesSchema = z.object({
  office: mailbox('school office'),
  ewo: mailbox('EWO'),
  la: mailbox('local authority'),
  homeSchool: mailbox('home school'),
});

export const trustInputSchema = z.object({ name: words('trust’s name', 200) });
export type TrustInput = z.output<typeof trustInputSchema>;

export const schoolInputSchema = z.object({
  name: words('school’s name', 200),
  urn: optional(z.string().regex(/^\d{6}$/, 'a URN is 6 digits, as Get Information about Schools shows it')),
  // The DfE number is written 331/4001 or 3314001: the LA's 3 digits, then the school's 4.
  laEstab: optional(
    z
      .string()
      .regex(/^\d{3}\s*[/-]?\s*\d{4}$/, 'the DfE number is the LA’s 3 digits and the school’s 4, as 331/4001')
      .transform((text) => text.replace(/\D/g, '')),
  ),
  phase: z.enum(SCHOOL_PHASES, `choose the phase: ${SCHOOL_PHASES.join(', ')}`),
  localAuthority: words('local authority', 100)
    .transform(localAuthorityId)
    .refine((id) => id.length > 0, 'enter the local authority’s name'),
  workflowId: z.string().refine((id) => Object.hasOwn(WORKFLOWS, id), 'choose the attendance policy the school follows'),
  mailboxes: mailboxesSchema.prefault({}),
});
export type SchoolInput = z.output<typeof schoolInputSchema>;

/** The mailboxes a policy writes to, from its own rules (its notifications and legal requests). */
export function mailboxesUsedBy(policy: Policy): Set<Recipient> {
  const used = new Set<Recipient>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 20 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach((item) => walk(item, depth + 1));
    for (const [key, item] of Object.entries(value)) {
      if ((key === 'to' || key === 'legalRequestsTo') && (item === 'ewo' || item === 'la' || item === 'homeSchool')) used.add(item);
      else walk(item, depth + 1);
    }
  };
  walk(policy, 0);
  return used;
}

/**
 * What the school's mailboxes leave its policy unable to do, in words: a referral with no address
 * to go to waits as a task for the school instead, so the school can still be set up without one.
 */
export function mailboxWarnings(school: Pick<School, 'workflowId' | 'notifyEmails'>): string[] {
  const given = school.notifyEmails ?? {};
  const used = mailboxesUsedBy(getWorkflow(school.workflowId).policy);
  const warnings: string[] = [];
  if (!given.office) warnings.push('No school office address: letters by email go from the service’s own address, and replies do not reach the school.');
  if (used.has('ewo') && !given.ewo && !given.la) warnings.push('The policy refers cases to the EWO, and there is no EWO or local authority address: referrals will wait as tasks.');
  if (used.has('la') && !given.la) warnings.push('The policy writes to the local authority attendance team, and there is no address for it: those messages will wait as tasks.');
  if (used.has('homeSchool') && !given.homeSchool) warnings.push('The policy writes to each pupil’s home school: without a home school address, only pupils whose contacts name their home school can be written about.');
  return warnings;
}

/** The policies a school can follow, as the picker names them. */
export function workflowChoices(): { id: string; name: string }[] {
  return Object.values(WORKFLOWS)
    .map((workflow) => ({ id: workflow.id, name: workflow.id === 'national' ? workflow.policy.name : `${workflow.policy.name}’s policy` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

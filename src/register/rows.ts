// One zod schema per MIS export row. The CSV import, the JSON API and the simulator all read
// register data through these, so a file that imports is a file that simulates.
import { z } from 'zod';
import { fromUkDate, isIsoDate } from '../domain/dates.ts';
import { normaliseCode } from '../domain/codes.ts';

const text = z.string().trim();

/**
 * The longest each free-text field may be. Names in an MIS export are far shorter; the bound keeps
 * one bad row (a 5 MB forename) from reaching letters, PDFs and pages, where long text costs time.
 */
export const MAX_LENGTH = { name: 100, relationship: 50, email: 254, flags: 500 } as const;
const name = text.min(1, 'is empty').max(MAX_LENGTH.name, `is longer than ${MAX_LENGTH.name} characters`);

const UPN = /^[A-Z]\d{11}[0-9A-Z]$/;

/** Unique Pupil Number: a letter, 11 digits, then a digit (or a letter for a temporary UPN). */
export const upnSchema = text.toUpperCase().regex(UPN, 'is not a UPN (a letter, 11 digits, then a digit or letter)');

export const isoDateSchema = text.refine(isIsoDate, 'is not a real date in the form YYYY-MM-DD');

/** Dates in register files: the day, always stored as YYYY-MM-DD. */
const fileDateSchema = text.transform(fromUkDate).refine(isIsoDate, 'is not a real date in the form YYYY-MM-DD (or DD/MM/YYYY)');

const optionalText = text.transform((value) => (value === '' ? null : value)).nullable().optional();

const yesNo = text
  .toLowerCase()
  // T and F: how some MIS exports write a tick box.
  .refine((value) => ['y', 'yes', 't', 'true', '1', 'n', 'no', 'f', 'false', '0'].includes(value), 'must be yes or no')
  .transform((value) => ['y', 'yes', 't', 'true', '1'].includes(value));

/** Sessions as some MIS exports name them (Arbor's roll-call PERIOD is MORNING or AFTERNOON). */
const SESSION_WORDS: Record<string, 'AM' | 'PM'> = { MORNING: 'AM', AFTERNOON: 'PM' };

export const markRowSchema = z.object({
  upn: upnSchema,
  date: fileDateSchema,
  session: text
    .toUpperCase()
    .transform((value) => (Object.hasOwn(SESSION_WORDS, value) ? SESSION_WORDS[value]! : value))
    .pipe(z.enum(['AM', 'PM'], { error: 'must be AM or PM' })),
  code: z.string().transform((raw, ctx) => {
    const code = normaliseCode(raw);
    if (code === null) {
      ctx.addIssue({ code: 'custom', message: 'is not a national attendance code' });
      return z.NEVER;
    }
    return code;
  }),
});
export type MarkRowInput = z.infer<typeof markRowSchema>;

/**
 * What markRowSchema makes of a row it accepts, without zod's per-row cost (a year of a trust is
 * millions of rows); null for any row it might not accept, which then goes through the schema
 * for its problems.
 */
export function quickMarkRow(row: Record<string, string>): MarkRowInput | null {
  const upn = row.upn?.trim().toUpperCase();
  const date = row.date === undefined ? undefined : fromUkDate(row.date.trim());
  const written = row.session?.trim().toUpperCase();
  const session = written !== undefined && Object.hasOwn(SESSION_WORDS, written) ? SESSION_WORDS[written] : written;
  const code = row.code === undefined ? null : normaliseCode(row.code);
  if (upn === undefined || !UPN.test(upn) || !isIsoDate(date) || (session !== 'AM' && session !== 'PM') || code === null) return null;
  return { upn, date, session, code };
}

const vulnerabilityFlag = /^[a-z][a-z0-9_]*$/;

export const pupilRowSchema = z.object({
  upn: upnSchema,
  forename: name,
  surname: name,
  date_of_birth: fileDateSchema,
  year_group: text.toUpperCase().regex(/^(N1|N2|R|[1-9]|1[0-4])$/, 'must be N1, N2, R or 1 to 14'),
  // Flags as the MIS lists them (`ehcp;lac`, `ehcp,lac` or `ehcp|lac`); the workflow decides what they mean.
  vulnerability: text
    .max(MAX_LENGTH.flags, `is longer than ${MAX_LENGTH.flags} characters`)
    .toLowerCase()
    .optional()
    .transform((value) => (value ? value.split(/[;,|]/).map((flag) => flag.trim()).filter(Boolean) : []))
    .refine((flags) => flags.every((flag) => vulnerabilityFlag.test(flag)), 'flags are words such as ehcp, lac, cp_plan, social_worker'),
  on_roll: yesNo.optional().transform((value) => value ?? true),
});
export type PupilRowInput = z.infer<typeof pupilRowSchema>;

export const contactRowSchema = z.object({
  upn: upnSchema,
  name,
  relationship: text.min(1, 'is empty').max(MAX_LENGTH.relationship, `is longer than ${MAX_LENGTH.relationship} characters`).toLowerCase(),
  email: optionalText
    .refine((value) => value == null || value.length <= MAX_LENGTH.email, `is longer than ${MAX_LENGTH.email} characters`)
    .pipe(z.email({ error: 'is not an email address' }).nullable().optional()),
  phone: optionalText.pipe(
    z
      .string()
      .regex(/^\+?[0-9 ()-]{7,20}$/, 'is not a phone number')
      .nullable()
      .optional(),
  ),
  parental_responsibility: yesNo,
  lives_with: yesNo,
});
export type ContactRowInput = z.infer<typeof contactRowSchema>;

export const REGISTER_FILES = {
  marks: { schema: markRowSchema, quick: quickMarkRow, required: ['upn', 'date', 'session', 'code'], optional: [] },
  pupils: {
    schema: pupilRowSchema,
    required: ['upn', 'forename', 'surname', 'date_of_birth', 'year_group'],
    optional: ['vulnerability', 'on_roll'],
  },
  contacts: {
    schema: contactRowSchema,
    required: ['upn', 'name', 'relationship', 'email', 'phone', 'parental_responsibility', 'lives_with'],
    optional: [],
  },
} as const;

export type RegisterFileKind = keyof typeof REGISTER_FILES;

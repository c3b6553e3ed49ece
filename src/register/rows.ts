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
export const MAX_LENGTH = { name: 100, relationship: 50, email: 254, flags: 500, addressLine: 100, town: 60, address: 300 } as const;
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

/**
 * A UK postcode, checked loosely but surely: an outward code (one or two letters, a digit, then
 * a letter or digit or nothing) and an inward code (a digit and two letters), spaces anywhere.
 * Normalised to upper case with one space, as Royal Mail prints it: "cv12ab" → "CV1 2AB".
 */
const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?|GIR)([0-9][A-Z]{2})$/;
export function normalisePostcode(raw: string): string | null {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  const match = compact.length <= 7 ? POSTCODE.exec(compact) : null;
  return match ? `${match[1]} ${match[2]}` : null;
}
const postcodeSchema = text.max(10, 'is not a UK postcode (such as CV1 2AB)').transform((raw, ctx) => {
  const postcode = normalisePostcode(raw);
  if (postcode === null) {
    ctx.addIssue({ code: 'custom', message: 'is not a UK postcode (such as CV1 2AB)' });
    return z.NEVER;
  }
  return postcode;
});

const boundedText = (max: number) => optionalText.refine((value) => value == null || value.length <= max, `is longer than ${max} characters`);

/**
 * A whole address in one cell, as some exports give it: parts separated by commas or new lines,
 * the town last but for a postcode (its own part, or at the end of the last one).
 */
function splitAddress(whole: string): { lines: string[]; town: string | null; postcode: string | null } {
  const parts = whole.split(/[\n,]+/).map((part) => part.trim()).filter(Boolean);
  let postcode: string | null = null;
  const last = parts.at(-1) ?? '';
  const ending = /^(.*?)\s*([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})$/.exec(last);
  if (ending && normalisePostcode(ending[2] ?? '')) {
    postcode = normalisePostcode(ending[2] ?? '');
    if (ending[1]) parts[parts.length - 1] = ending[1];
    else parts.pop();
  }
  const town = parts.length > 1 ? (parts.pop() ?? null) : null;
  return { lines: parts, town, postcode };
}

const ADDRESS_COLUMNS = ['address_line_1', 'address_line_2', 'town', 'postcode'] as const;
const NEEDED = 'a postal address needs address_line_1, town and postcode';

export const contactRowSchema = z
  .object({
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
    address_line_1: boundedText(MAX_LENGTH.addressLine),
    address_line_2: boundedText(MAX_LENGTH.addressLine),
    town: boundedText(MAX_LENGTH.town),
    postcode: optionalText.pipe(postcodeSchema.nullable().optional()),
    address: boundedText(MAX_LENGTH.address),
  })
  .transform(({ address_line_1, address_line_2, town, postcode, address: whole, ...row }, ctx) => {
    // Either the separate columns or one `address` cell (a `postcode` column may go with it).
    if (whole && (address_line_1 || address_line_2 || town)) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'is given as well as address_line_1, address_line_2 or town: give one or the other' });
      return z.NEVER;
    }
    const parts = whole ? splitAddress(whole) : { lines: [address_line_1, address_line_2].filter((line): line is string => Boolean(line)), town: town ?? null, postcode: null };
    const code = postcode ?? parts.postcode;
    if (parts.lines.length === 0 && !parts.town && !code) return { ...row, address: null };
    if (whole) {
      if (parts.lines.length === 0 || !parts.town || !code) {
        ctx.addIssue({ code: 'custom', path: ['address'], message: 'needs lines, a town and a postcode, separated by commas' });
        return z.NEVER;
      }
      if (parts.lines.length > 2 || parts.lines.some((line) => line.length > MAX_LENGTH.addressLine)) {
        ctx.addIssue({ code: 'custom', path: ['address'], message: `has more than two lines before the town, or a line longer than ${MAX_LENGTH.addressLine} characters` });
        return z.NEVER;
      }
    } else {
      const missing = [
        ['address_line_1', address_line_1],
        ['town', town],
        ['postcode', code],
      ].filter(([, value]) => !value);
      for (const [column] of missing) ctx.addIssue({ code: 'custom', path: [column ?? ''], message: `is empty: ${NEEDED}` });
      if (missing.length > 0) return z.NEVER;
    }
    return { ...row, address: { lines: parts.lines, town: parts.town ?? '', postcode: code ?? '' } };
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
    optional: [...ADDRESS_COLUMNS, 'address'],
  },
} as const;

export type RegisterFileKind = keyof typeof REGISTER_FILES;

import type { Parent } from './case-types.ts';
import type { PupilFlags } from './evaluate.ts';
import type { VulnerabilityRating } from './policy.ts';
import type { IsoDate, Mark } from './types.ts';

/**
 * What the school knows about a pupil besides the register, derived from the MIS's own data (the
 * pupil's vulnerability flags, their contacts, their marks). Pure, so the durable service and the
 * simulator read the same files the same way.
 */

/** A contact as the MIS lists it: only a contact with parental responsibility is a parent. */
export interface ParentalContact {
  name: string;
  parentalResponsibility: boolean;
}

/** The parents letters and penalty notices go to: contacts with parental responsibility, `parent-1`, `parent-2`… in file order. */
export const parentsOf = (contacts: readonly ParentalContact[]): Parent[] =>
  contacts.filter((c) => c.parentalResponsibility).map((c, i) => ({ id: `parent-${i + 1}`, name: c.name }));

/** Leading Futures' vulnerability rating travels as one of the pupil's flags. */
export const ratingOf = (vulnerability: readonly string[]): VulnerabilityRating | undefined =>
  (['red', 'amber', 'green'] as const).find((flag) => vulnerability.includes(flag))?.toUpperCase() as VulnerabilityRating | undefined;

/** A social worker or youth offending team is involved with the pupil. */
export const hasSocialWorker = (vulnerability: readonly string[]): boolean =>
  vulnerability.some((flag) => flag === 'social_worker' || flag === 'yot');

/**
 * The school may not know why a run of absence is happening only while every mark is N or O.
 * Reads the pupil's marks in date and session order.
 */
export function parentResponded(marks: readonly Mark[], asOf: IsoDate): boolean {
  // The last 20 marks up to asOf, found from the end: the year's marks are not copied for it.
  const recent: Mark[] = [];
  for (let i = marks.length - 1; i >= 0 && recent.length < 20; i--) if (marks[i]!.date <= asOf) recent.push(marks[i]!);
  recent.reverse();
  const absentRun = [];
  for (let i = recent.length - 1; i >= 0 && !['/', '\\', 'L'].includes(recent[i]!.code); i--) absentRun.push(recent[i]!);
  return absentRun.length === 0 || absentRun.some((mark) => !['N', 'O'].includes(mark.code));
}

/** The flags the evaluation reads for one pupil on one day. */
export const pupilFlags = (vulnerability: readonly string[], marks: readonly Mark[], asOf: IsoDate): PupilFlags => ({
  hasSocialWorker: hasSocialWorker(vulnerability),
  vulnerability: ratingOf(vulnerability),
  parentResponded: parentResponded(marks, asOf),
});

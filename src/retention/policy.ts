// What is kept, and for how long. Each period is a default an admin may lengthen or shorten by
// environment (src/config.ts); the sources are named so a data protection officer can check them.
import type { Config } from '../config.ts';
import type { RetentionKind } from '../store/types.ts';

export interface RetentionRule {
  kind: RetentionKind;
  /** What the rule removes, in words an operator reads in the CLI's output. */
  what: string;
  years: number;
  /** What the period is counted from. */
  from: string;
  setting: keyof Config;
}

/**
 * - cases: closed attendance cases with their timeline, tasks, timers, queued effects and letters.
 *   The IRMS Information Management Toolkit for Schools keeps attendance registers 6 years from the
 *   entry (as do the School Attendance (Pupil Registration) (England) Regulations 2024); a case is
 *   the school's account of acting on those entries and may be needed as evidence for as long, so it
 *   is kept 6 years from closing. We could not confirm a toolkit entry for case files of their own:
 *   6 years is the conservative choice.
 * - pupils: a pupil no longer on roll, with their register, contacts and closed cases. The toolkit's
 *   pupil record entry (and the Education (Pupil Information) (England) Regulations 2005) keeps a
 *   secondary pupil's record, and child protection information, until the pupil's date of birth + 25
 *   years. Contacts have no entry of their own: they are part of the pupil record and go with it.
 * - letters: letters and emails as sent (database rows and the .eml copies under DATA_DIR/mail) of a
 *   closed case. The toolkit's entry for correspondence about authorised and unauthorised absence is
 *   the current academic year + 2 years; 3 years from sending covers that whatever the month.
 * - audit: the audit log. The toolkit has no entry for system audit logs (not confirmed): they are
 *   kept as long as the longest record they account for in normal use, the register's 6 years.
 */
export function retentionRules(config: Pick<Config, 'RETAIN_CLOSED_CASES_YEARS' | 'RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH' | 'RETAIN_LETTERS_YEARS' | 'RETAIN_AUDIT_YEARS'>): Record<RetentionKind, RetentionRule> {
  return {
    cases: { kind: 'cases', what: 'closed cases (with timeline, tasks and letters)', years: config.RETAIN_CLOSED_CASES_YEARS, from: 'closing', setting: 'RETAIN_CLOSED_CASES_YEARS' },
    pupils: { kind: 'pupils', what: 'pupils who left (with register, contacts and closed cases)', years: config.RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH, from: 'date of birth', setting: 'RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH' },
    letters: { kind: 'letters', what: 'letters and emails of closed cases', years: config.RETAIN_LETTERS_YEARS, from: 'sending', setting: 'RETAIN_LETTERS_YEARS' },
    audit: { kind: 'audit', what: 'audit entries', years: config.RETAIN_AUDIT_YEARS, from: 'writing', setting: 'RETAIN_AUDIT_YEARS' },
  };
}

export const RETENTION_KINDS: RetentionKind[] = ['cases', 'pupils', 'letters', 'audit'];

/** The instant `years` calendar years before `now` (29 February becomes 28th: a day more kept, not less). */
export function cutoff(now: Date, years: number): Date {
  const at = new Date(now);
  at.setUTCFullYear(at.getUTCFullYear() - years);
  if (at.getUTCDate() !== now.getUTCDate()) at.setUTCDate(0);
  return at;
}

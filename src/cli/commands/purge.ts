import { parseArgs } from 'node:util';
import { addDays, isIsoDate } from '../../domain/dates.ts';
import type { IsoDate } from '../../domain/types.ts';
import { londonDate } from '../../domain/london-time.ts';
import { auditRecorder } from '../../access/audit.ts';
import type { Store } from '../../store/types.ts';
import { withStore } from '../open.ts';

/** Register entries and their amendments are kept six years (the pupil registration regulations; ../shared/DOMAIN.md). */
export const REGISTER_RETENTION_YEARS = 6;

const usage = `usage: attendance purge register [--before <YYYY-MM-DD>] [--dry-run] [--force]

Deletes register marks and mark amendments dated before --before (default: ${REGISTER_RETENTION_YEARS} years before
today's London date). A date less than ${REGISTER_RETENTION_YEARS} years ago would delete entries the school must
still keep, and is refused unless --force is given. --dry-run counts what would go and deletes nothing.`;

/** The same calendar day `years` earlier; 29 February becomes the 28th, which keeps a day more rather than less. */
export function yearsBefore(date: IsoDate, years: number): IsoDate {
  const year = String(Number(date.slice(0, 4)) - years).padStart(4, '0');
  const sameDay = `${year}${date.slice(4)}`;
  return isIsoDate(sameDay) ? sameDay : `${year}-02-28`;
}

/** What a purge before `date` would delete, counted through the same store reads the service uses. */
async function countBefore(store: Store, date: IsoDate): Promise<{ marks: number; amendments: number }> {
  let marks = 0;
  let amendments = 0;
  for (const school of await store.listSchools()) {
    for await (const pupil of store.streamSchoolMarks(school.id, { to: addDays(date, -1) })) {
      marks += pupil.marks.length;
      amendments += (await store.listAmendments(school.id, pupil.upn)).filter((a) => a.date < date).length;
    }
  }
  return { marks, amendments };
}

const counted = ({ marks, amendments }: { marks: number; amendments: number }) =>
  `${marks} mark${marks === 1 ? '' : 's'} and ${amendments} amendment${amendments === 1 ? '' : 's'}`;

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { before: { type: 'string' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1 || positionals[0] !== 'register') {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (values.before !== undefined && !isIsoDate(values.before)) {
    console.error(`--before '${values.before}' is not a date: use YYYY-MM-DD\n\n${usage}`);
    return 2;
  }
  // Retention runs on the real calendar, never on the demo's movable clock.
  const today = londonDate(new Date());
  const latestCutoff = yearsBefore(today, REGISTER_RETENTION_YEARS);
  const before = values.before ?? latestCutoff;
  if (before > latestCutoff && !values.force) {
    console.error(
      `refusing to purge before ${before}: register entries must be kept ${REGISTER_RETENTION_YEARS} years, so the latest date is ${latestCutoff} (use --force to override)`,
    );
    return 1;
  }
  return withStore(async (store) => {
    if (values['dry-run']) {
      console.log(`dry run: would remove ${counted(await countBefore(store, before))} dated before ${before}; nothing was deleted`);
      return 0;
    }
    const removed = await store.purgeRegisterBefore(before);
    await auditRecorder(store, () => new Date())('cli:purge', 'register.purge', {}, { before, forced: before > latestCutoff, ...removed });
    console.log(`removed ${counted(removed)} dated before ${before}`);
    return 0;
  });
}

import { parseArgs } from 'node:util';
import { addDays, isIsoDate } from '../../domain/dates.ts';
import type { IsoDate } from '../../domain/types.ts';
import { londonDate } from '../../domain/london-time.ts';
import { auditRecorder } from '../../access/audit.ts';
import type { Store } from '../../store/types.ts';
import { withStore } from '../open.ts';
import { RETENTION_KINDS, retentionRules } from '../../retention/policy.ts';
import { runRetention, type RetentionResult } from '../../retention/retention-run.ts';
import type { RetentionKind } from '../../store/types.ts';
import { registerWritten } from '../../register/register-changes.ts';

/** Register entries and their amendments are kept six years (the pupil registration regulations; ../shared/DOMAIN.md). */
export const REGISTER_RETENTION_YEARS = 6;

const usage = `usage: attendance purge register [--before <YYYY-MM-DD>] [--dry-run] [--force]
       attendance purge cases|pupils|letters|audit|all [--dry-run]

Deletes register marks and mark amendments dated before --before (default: ${REGISTER_RETENTION_YEARS} years before
today's London date). A date less than ${REGISTER_RETENTION_YEARS} years ago would delete entries the school must
still keep, and is refused unless --force is given. --dry-run counts what would go and deletes nothing.

cases, pupils, letters and audit delete what is past its retention period (README, "What is kept"):
closed cases, pupils who left, letters and emails of closed cases (with their .eml copies), audit
entries. The periods come from the RETAIN_* settings; an open case and its pupil are never touched.
'all' runs the four in turn, as the worker does daily.`;

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
  const [kind] = positionals;
  if (!values.help && positionals.length === 1 && (kind === 'all' || RETENTION_KINDS.includes(kind as RetentionKind))) {
    if (values.before !== undefined || values.force) {
      console.error(`--before and --force apply to 'purge register' only: the other periods are set by the RETAIN_* settings\n\n${usage}`);
      return 2;
    }
    return purgeExpired(kind === 'all' ? RETENTION_KINDS : [kind as RetentionKind], values['dry-run'] === true);
  }
  if (values.help || positionals.length !== 1 || kind !== 'register') {
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
    registerWritten(store, null);
    await auditRecorder(store, () => new Date())('cli:purge', 'register.purge', {}, { before, forced: before > latestCutoff, ...removed });
    console.log(`removed ${counted(removed)} dated before ${before}`);
    return 0;
  });
}

const described = (result: RetentionResult, what: string) =>
  `${result.removed} ${what} from before ${result.before.toISOString().slice(0, 10)}` + (result.kind === 'letters' ? ` and ${result.emlFiles} stored email file${result.emlFiles === 1 ? '' : 's'}` : '');

/** The retention kinds in turn, each in batches, each audited (a dry run reads only). */
function purgeExpired(kinds: RetentionKind[], dryRun: boolean): Promise<number> {
  return withStore(async (store, config) => {
    const rules = retentionRules(config);
    const deps = { store, audit: auditRecorder(store, () => new Date()), dataDir: config.DATA_DIR };
    for (const kind of kinds) {
      const rule = rules[kind];
      // Retention runs on the real calendar, never on the demo's movable clock.
      const result = await runRetention(deps, rule, { now: new Date(), dryRun, actor: 'cli:purge' });
      console.log(dryRun ? `dry run: would remove ${described(result, rule.what)}; nothing was deleted` : `removed ${described(result, rule.what)}`);
    }
    return 0;
  });
}

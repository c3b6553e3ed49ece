import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { auditRecorder } from '../../access/audit.ts';
import { decodeCalendarFile, formatOf, MAX_FILE_BYTES } from '../../calendars/calendar-file.ts';
import { addCalendarEntry, importCalendarFile, removeCalendarEntry, type ImportOutcome } from '../../calendars/calendar-edits.ts';
import { viewSchoolCalendar, type SchoolCalendarView } from '../../calendars/school-calendars.ts';
import { calendarEntrySchema, ENTRY_KINDS, KIND_NAMES, schoolYearName, schoolYearOf, type CalendarEntry } from '../../domain/school-calendar.ts';
import { AppError } from '../../errors.ts';
import { schoolOf, withStore } from '../open.ts';
import { answering, cliActor } from '../answer.ts';

const usage = `usage: attendance calendar show --school <id> [--json]
       attendance calendar import --school <id> <file.csv|file.ics> [--dry-run] [--json]
       attendance calendar add --school <id> --date <YYYY-MM-DD> [--end <YYYY-MM-DD>] --kind ${ENTRY_KINDS.join('|')} --description <text>
       attendance calendar remove --school <id> --date <YYYY-MM-DD> [--end <YYYY-MM-DD>] --kind <kind>

A school's calendar is its local authority's term dates (where the service holds them) plus its own
terms, INSET days, closures, holidays and bank holidays. Every school-day deadline of its cases and
the 10-school-week window count only the days it has the school open.
import: a CSV file (date,end_date,kind,description) or an iCalendar file as LAs publish them; it
prints what it changes, then saves it (--dry-run: only prints). A file that would leave the calendar
unusable saves nothing.`;

const line = (entry: Pick<CalendarEntry, 'kind' | 'start' | 'end' | 'description'>) =>
  `  ${entry.start}${entry.end !== entry.start ? ` to ${entry.end}` : '              '}  ${KIND_NAMES[entry.kind].padEnd(12)}  ${entry.description}`;

function printView(view: SchoolCalendarView): void {
  console.log(`${view.school.name} (${view.school.localAuthority})`);
  console.log(view.localAuthorityCalendar ? `term dates: ${view.localAuthorityCalendar.name}'s, except where the school entered its own` : 'term dates: none held for this local authority; the school enters its own');
  let year: number | null = null;
  for (const term of view.terms) {
    if (schoolYearOf(term.start) !== year) console.log(`school year ${schoolYearName((year = schoolYearOf(term.start)))}`);
    console.log(`  ${term.name.padEnd(24)} ${term.start} to ${term.end}  ${String(term.schoolDays ?? '-').padStart(3)} school days  (${term.source === 'school' ? 'the school' : 'LA'})`);
  }
  const days = view.entries.filter((e) => e.kind !== 'term');
  console.log(days.length ? "the school's INSET days, closures and holidays:" : 'no INSET days, closures or holidays entered');
  for (const day of days) console.log(line(day));
  for (const problem of view.problems) console.log(`PROBLEM: ${problem.message}`);
}

function printImport(outcome: ImportOutcome): void {
  const section = (title: string, entries: CalendarEntry[]) => {
    if (entries.length === 0) return;
    console.log(`${title} (${entries.length}):`);
    for (const entry of entries) console.log(line(entry));
  };
  section('added', outcome.added);
  section("replaced by the file's terms", outcome.removed);
  section('already in the calendar', outcome.unchanged);
  if (outcome.notes.length) console.log(`left out or shortened (${outcome.notes.length}):`);
  for (const note of outcome.notes) console.log(`  ${note.where}: ${note.message}`);
  for (const problem of outcome.problems) console.log(`PROBLEM: ${problem.message}`);
  console.log(outcome.saved ? `saved (revision ${outcome.revision})` : 'nothing saved');
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      school: { type: 'string' },
      date: { type: 'string' },
      end: { type: 'string' },
      kind: { type: 'string' },
      description: { type: 'string', default: '' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      actor: { type: 'string', default: cliActor() },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, file] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.school || !['show', 'import', 'add', 'remove'].includes(action ?? '') || (action === 'import' && !file)) {
    console.error(usage);
    return 2;
  }
  const schoolId = values.school;
  const meta = { by: values.actor, at: new Date() };
  return answering(() =>
    withStore(async (store) => {
      const school = await schoolOf(store, schoolId);
      const audit = (name: string, detail: Record<string, unknown>) => auditRecorder(store, () => new Date())(values.actor, name, { schoolId }, detail);
      if (action === 'show') {
        const view = await viewSchoolCalendar(store, school);
        if (values.json) console.log(JSON.stringify(view, null, 2));
        else printView(view);
        return 0;
      }
      if (action === 'import') {
        if ((await stat(file!)).size > MAX_FILE_BYTES) throw new AppError(413, 'file_too_large', `${file} is larger than ${MAX_FILE_BYTES / 1024} KB, more than any calendar of term dates`);
        const content = decodeCalendarFile(await readFile(file!));
        const outcome = await importCalendarFile(store, school, { content, format: formatOf(file!, content) }, { ...meta, save: !values['dry-run'] });
        if (outcome.saved) await audit('school.calendar.import', { format: outcome.format, added: outcome.added.length, removed: outcome.removed.length, revision: outcome.revision });
        if (values.json) console.log(JSON.stringify(outcome, null, 2));
        else printImport(outcome);
        return outcome.problems.length > 0 ? 1 : 0;
      }
      const parsed = calendarEntrySchema.safeParse({ kind: values.kind, start: values.date, end: values.end ?? values.date, description: values.description });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) console.error(`--${{ start: 'date', end: 'end' }[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`);
        return 2;
      }
      const entry = parsed.data;
      const saved = action === 'add' ? await addCalendarEntry(store, school, entry, meta) : await removeCalendarEntry(store, school, entry, meta);
      await audit(`school.calendar.${action}`, { kind: entry.kind, start: entry.start, end: entry.end, revision: saved.revision });
      console.log(`${action === 'add' ? 'added' : 'removed'}:${line(entry)} (revision ${saved.revision})`);
      return 0;
    }),
  );
}

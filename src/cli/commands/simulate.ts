import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isIsoDate } from '../../domain/dates.ts';
import { parseActions, parseContacts, parseMarks, parsePupils } from '../../simulator/csv.ts';
import { simulate } from '../../simulator/simulate.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';

const usage = `usage: attendance simulate --workflow <id> --pupils <csv> --marks <csv> [--contacts <csv>] [--actions <csv>] --from <date> --to <date> [--calendar <la>]

Prints one JSON line per case transition, then one line {"summary": ...}.
  pupils.csv    upn[,hasSocialWorker][,vulnerability][,parentResponded]
  marks.csv     upn,date,session,code
  contacts.csv  upn,id[,name]            parents who receive letters and penalty notices
  actions.csv   date,upn,action,detail   staff actions (MEETING_HELD, NTI_ISSUED, PENALTY_PAID, LA_DECISION...)
  --calendar    the LA term dates, for a workflow without its own (national)`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      workflow: { type: 'string' },
      pupils: { type: 'string' },
      marks: { type: 'string' },
      contacts: { type: 'string' },
      actions: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      calendar: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const { workflow: id, pupils, marks, from, to } = values;
  if (!id || !pupils || !marks || !from || !to || !isIsoDate(from) || !isIsoDate(to)) {
    console.error(usage);
    return 2;
  }
  const workflow = getWorkflow(id);
  const text = (file: string | undefined) => (file ? readFile(file, 'utf8') : Promise.resolve(''));
  const { lines, summary } = simulate({
    workflow,
    calendar: calendarFor(workflow, values.calendar ?? workflow.policy.calendarId),
    pupils: parsePupils(await text(pupils)),
    marks: parseMarks(await text(marks)),
    parents: parseContacts(await text(values.contacts)),
    actions: parseActions(await text(values.actions)),
    from,
    to,
  });
  for (const line of lines) console.log(JSON.stringify(line));
  console.log(JSON.stringify({ summary }));
  return 0;
}

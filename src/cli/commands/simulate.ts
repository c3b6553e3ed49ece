import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isIsoDate } from '../../domain/dates.ts';
import { parseActions, readMarks, readParents, readPupils } from '../../simulator/csv.ts';
import { simulate, STAFF_ACTIONS } from '../../simulator/simulate.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';

const usage = `usage: attendance simulate --workflow <id> --pupils <csv> --marks <csv> [--contacts <csv>] [--actions <csv>] --from <date> --to <date> [--calendar <la>]

Prints the story as JSON lines, in the order it happened, then one line {"summary": ...}:
  {"line":"transition",...}  a case moved (event, from, to, effects)
  {"line":"task",...}        a task for staff: a case's step, or a duty owed with or without a case
                             (N codes unresolved after 5 school days, first-day contact, face-to-face
                             visits by RAG rating, child missing education)
  {"line":"refused",...}     a staff action the case did not take, and why (no case yet, not at a
                             state that takes it, a third penalty notice within 3 years...)
pupils.csv, marks.csv and contacts.csv are the files the school imports from its MIS:
  pupils.csv    upn,forename,surname,date_of_birth,year_group[,vulnerability][,on_roll]
                vulnerability flags: social_worker or yot (social worker), red/amber/green (rating)
  marks.csv     upn,date,session,code
  contacts.csv  upn,name,relationship,email,phone,parental_responsibility,lives_with
                [,address_line_1,address_line_2,town,postcode] or [,address] (read, not used here)
                contacts with parental responsibility are the parents, parent-1, parent-2... in file order
  actions.csv   date,upn,action,detail   staff actions; the detail each takes:
${STAFF_ACTIONS.map(({ action, detail }) => `                ${action.padEnd(24)} ${detail}`).join('\n')}
  --from        any date the calendar covers (a year it holds only part of is measured from its first day)
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
  const { contacts, actions } = values;
  const { story, summary } = simulate({
    workflow,
    calendar: calendarFor(workflow, values.calendar ?? workflow.policy.calendarId),
    pupils: await readPupils(createReadStream(pupils), pupils),
    marks: await readMarks(createReadStream(marks), marks),
    parents: contacts ? await readParents(createReadStream(contacts), contacts) : {},
    actions: actions ? parseActions(await readFile(actions, 'utf8'), actions) : [],
    from,
    to,
  });
  for (const line of story) console.log(JSON.stringify(line));
  console.log(JSON.stringify({ summary }));
  return 0;
}

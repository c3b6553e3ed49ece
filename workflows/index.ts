import { createCalendar } from '../src/domain/calendar.ts';
import type { SchoolCalendar } from '../src/domain/calendar.ts';
import type { Workflow } from '../machines/workflow.ts';
import { CALENDARS, isCalendarId } from './calendars/index.ts';
import { workflow as dsat } from './dsat.ts';
import { workflow as francisBaily } from './francis-baily.ts';
import { workflow as hallGreen } from './hall-green.ts';
import { workflow as kennet } from './kennet.ts';
import { workflow as leadingFutures } from './leading-futures.ts';
import { workflow as national } from './national.ts';
import { workflow as westCoventry } from './west-coventry.ts';
import { workflow as whitelandsPark } from './whitelands-park.ts';

/** Every setting's workflow by id. */
export const WORKFLOWS: Readonly<Record<string, Workflow>> = Object.fromEntries(
  [national, westCoventry, kennet, francisBaily, whitelandsPark, hallGreen, leadingFutures, dsat].map((workflow) => [workflow.id, workflow]),
);

export function getWorkflow(id: string): Workflow {
  const workflow = WORKFLOWS[id];
  if (!workflow) throw new Error(`unknown workflow '${id}' (known: ${Object.keys(WORKFLOWS).join(', ')})`);
  return workflow;
}

/** The school calendar a workflow counts school days by; the national defaults name none, so pass one. */
export function calendarFor(workflow: Workflow, calendarId: string | null = workflow.policy.calendarId): SchoolCalendar {
  if (calendarId === null) throw new Error(`workflow '${workflow.id}' has no calendar of its own: name a local authority calendar`);
  if (!isCalendarId(calendarId)) throw new Error(`unknown calendar '${calendarId}' (known: ${Object.keys(CALENDARS).join(', ')})`);
  return createCalendar(CALENDARS[calendarId]);
}

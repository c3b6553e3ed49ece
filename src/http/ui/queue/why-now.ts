// For each case on a page of the queue: its attendance this year and why it needs someone now,
// in the order a person would act on it: a decision waiting for them, then the task that is due,
// else when the workflow next looks at it.
import { computeMetrics } from '../../../domain/metrics.ts';
import type { IsoDate } from '../../../domain/types.ts';
import { schoolContext, type SchoolContext } from '../../../register/school-metrics.ts';
import type { Store } from '../../../store/types.ts';
import { shortDate, templateName } from '../../../domain/words.ts';
import type { QueueRow } from './queue-rows.ts';

export interface WhyNow {
  attendancePct: number | null;
  reason: string;
  /** A decision waits: the reason links to it. */
  approvalHref: string | null;
  /** When the reason falls due (the task's date), if it has one. */
  dueDate: IsoDate | null;
  /** Other open tasks on the case besides the one given as the reason. */
  moreTasks: number;
}

/** Tasks that keep records straight rather than move the case on: a reason only when nothing else is open. */
const CHORE_KINDS = new Set(['contact-details', 'approval-overdue', 'unresolved-n-code', 'register-chores', 'effect-failed']);
const MAX_REASON = 90;

/** A task's title short enough for a line of the queue: without the pupil's name, to its first clause. */
export function shortReason(title: string, pupilName: string | null, kind: string): string {
  let text = pupilName && title.startsWith(`${pupilName}: `) ? title.slice(pupilName.length + 2) : title;
  const clause = text.search(/; |: /);
  if (text.length > MAX_REASON && clause > 20) text = text.slice(0, clause);
  if (text.length > MAX_REASON) text = `${text.slice(0, text.lastIndexOf(' ', MAX_REASON - 1))}…`;
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return kind === 'contact-details' ? `Contact details: ${text.charAt(0).toLowerCase()}${text.slice(1)}` : text;
}

export async function whyNow(store: Store, rows: QueueRow[], today: IsoDate): Promise<Map<string, WhyNow>> {
  const schoolIds = [...new Set(rows.map((row) => row.schoolId))];
  const contexts = new Map<string, SchoolContext | null>();
  for (const schoolId of schoolIds) contexts.set(schoolId, await schoolContext(store, schoolId).catch(() => null));
  const caseIds = new Set(rows.map((row) => row.id));
  const held = new Map<string, { id: string; what: string; heldAt: Date }>();
  for (const effect of schoolIds.length ? await store.listEffects({ status: 'held', schoolIds }) : []) {
    if (!effect.caseId || !caseIds.has(effect.caseId) || held.has(effect.caseId)) continue;
    const template = (effect.payload as { template?: string }).template ?? '';
    const what = effect.approval?.requires === 'champion' ? (effect.approval.reason.replace(/^legal step: /, '') || 'A legal step') : templateName(template);
    held.set(effect.caseId, { id: effect.id, what: what.charAt(0).toUpperCase() + what.slice(1), heldAt: effect.approval?.heldAt ?? effect.createdAt });
  }
  const tasks = rows.length ? await store.listTasks({ caseIds: [...caseIds], status: 'open' }) : [];
  const answers = new Map<string, WhyNow>();
  for (const row of rows) {
    const context = contexts.get(row.schoolId);
    let attendancePct: number | null = null;
    if (context) {
      const from = context.calendar.academicYearStart(today);
      const marks = await store.listMarks(row.schoolId, row.upn, { from, to: today });
      attendancePct = marks.length ? computeMetrics({ marks, calendar: context.calendar, asOf: today, from, bands: context.bands }).attendancePct : null;
    }
    const waiting = held.get(row.id);
    const open = tasks.filter((task) => task.caseId === row.id).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    const task = open.find((candidate) => !CHORE_KINDS.has(candidate.kind)) ?? open[0];
    let reason: string;
    let dueDate: IsoDate | null = task?.dueDate ?? null;
    if (waiting) {
      reason = `${waiting.what} waits for approval since ${shortDate(waiting.heldAt)}`;
      dueDate = null;
    } else if (task) reason = shortReason(task.title, row.pupilName, task.kind);
    else if (row.status === 'closed') reason = 'Closed';
    else {
      const next = (await store.listTimers(row.id))[0];
      reason = next ? `Nothing due: the workflow reviews it on ${shortDate(next.dueAt)}` : 'Nothing due';
    }
    const moreTasks = open.length - (task && !waiting ? 1 : 0);
    answers.set(row.id, { attendancePct, reason, approvalHref: waiting ? `/approvals/${encodeURIComponent(waiting.id)}` : null, dueDate, moreTasks });
  }
  return answers;
}

import type { Store, TimelineEntry } from '../../../store/types.ts';
import type { CaseDetail } from '../case/case-pages.ts';
import { longDate, pct, plural, templateName, words } from '../../../domain/words.ts';
import { meetingRows, type MeetingRecord } from '../../../domain/casework-records.ts';
import { noteView } from '../case/notes.ts';
import { evidenceRows } from '../../../domain/evidence-words.ts';

export const TIMELINE_KINDS = ['transition', 'timer', 'letter', 'email', 'task', 'note', 'other'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineItem {
  at: Date;
  kind: TimelineKind;
  title: string;
  who: string;
  /** The evidence behind it, as label and text pairs. */
  evidence: { label: string; value: string }[];
  pdfMessageId?: string;
}

const SYSTEM_ACTORS: Record<string, string> = {
  'system:evaluator': 'The nightly attendance review',
  'system:timer': 'A timer falling due',
  'system:outbox': 'Letters and emails',
};

interface Effect {
  type: string;
  params?: Record<string, unknown>;
}

function describeEffect({ type, params = {} }: Effect): string {
  const due = typeof params.dueDate === 'string' ? longDate(params.dueDate) : null;
  if (type === 'sendLetter' && typeof params.template === 'string') return `${templateName(params.template)} to ${typeof params.to === 'string' ? words(params.to).toLowerCase() : 'parents'}`;
  if (type === 'notify' && typeof params.to === 'string') return `tell the ${words(params.to).toLowerCase()}${typeof params.template === 'string' ? ` (${templateName(params.template)})` : ''}`;
  if (type === 'createTask' && typeof params.title === 'string') return `task: ${params.title}${due ? ` (due ${due})` : ''}`;
  if (type === 'startTimer' && typeof params.name === 'string') return `${words(params.name).toLowerCase()}${due ? ` on ${due}` : ''}`;
  return words(type).toLowerCase();
}

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));

/** The evidence of a timeline entry in words: the rule, the event, the figures and what it set going. */
function evidenceOf(evidence: unknown): TimelineItem['evidence'] {
  if (evidence === null || typeof evidence !== 'object') return evidenceRows(evidence);
  const rows: TimelineItem['evidence'] = [];
  for (const [key, value] of Object.entries(evidence as Record<string, unknown>)) {
    if (value === null || value === undefined || key === 'attendancePct') continue;
    if (key === 'policyVersion') {
      rows.push({ label: 'Decided under', value: `version ${text(value)} of the school’s attendance policy` });
    } else if (key === 'fromVersion' || key === 'toVersion' || key === 'sent') {
      if (key === 'sent') rows.push({ label: 'Sent by the move', value: 'nothing' });
    } else if (key === 'effects' && Array.isArray(value)) {
      if (value.length) rows.push({ label: 'What it set going', value: (value as Effect[]).map(describeEffect).join('; ') });
    } else if (key === 'meeting' && typeof value === 'object') {
      rows.push(...meetingRows(value as MeetingRecord, longDate));
    } else if (key === 'metrics' && typeof value === 'object') {
      const metrics = value as { attendancePct?: number | null; unauthorisedInRolling10Weeks?: number; band?: string | null; asOf?: string };
      const band = metrics.band ? words(metrics.band).toLowerCase() : 'no band';
      rows.push({ label: 'Attendance then', value: `${pct(metrics.attendancePct)} (${band}), ${plural(metrics.unauthorisedInRolling10Weeks ?? 0, 'unauthorised session')} in 10 school weeks${metrics.asOf ? `, as of ${longDate(metrics.asOf)}` : ''}` });
    } else {
      rows.push(...evidenceRows({ [key]: value }));
    }
  }
  return rows;
}

function kindOf(entry: TimelineEntry): TimelineKind {
  if (entry.type === 'note') return 'note';
  if (entry.type === 'transition') return entry.actor === 'system:timer' ? 'timer' : 'transition';
  return 'other';
}

const APPROVAL_TITLES: Record<string, string> = { 'approval.approve': 'Approved', 'approval.reject': 'Rejected', 'approval.defer': 'Deferred', 'approval.withdraw': 'Withdrawn' };

/** A decision on a held letter or legal step, in words: "Approved with the decision recorded on the case: Penalty notice request". */
function approvalTitle(entry: TimelineEntry): string | null {
  const verb = APPROVAL_TITLES[entry.type];
  if (!verb) return null;
  const { what, approvedWith } = (entry.evidence ?? {}) as { what?: string; approvedWith?: string };
  return `${verb}${approvedWith ? ' with the decision recorded on the case' : ''}${what ? `: ${what}` : ''}`;
}

/** Everything that happened to a case, oldest first: transitions, timers, notes, letters, emails and tasks. */
export async function timelineItems(store: Store, detail: Pick<CaseDetail, 'letters' | 'tasks'>, entries: TimelineEntry[], stateName: (state: string) => string): Promise<TimelineItem[]> {
  const names = new Map<string, string>();
  const who = async (actor: string | null) => {
    if (!actor) return 'The service';
    if (SYSTEM_ACTORS[actor]) return SYSTEM_ACTORS[actor];
    if (actor.startsWith('system:')) return words(actor.slice(7));
    // An account since removed is still someone: never show its id.
    if (!names.has(actor)) names.set(actor, (await store.getUser(actor))?.name ?? 'A former member of staff');
    return names.get(actor)!;
  };
  const items: TimelineItem[] = [];
  for (const entry of entries) {
    const kind = kindOf(entry);
    const title =
      kind === 'note'
        ? 'Note'
        : entry.from !== entry.to && entry.to
          ? `${stateName(entry.from ?? 'new')} → ${stateName(entry.to)}`
          : words((entry.evidence as { event?: unknown } | null)?.event === undefined ? entry.type : String((entry.evidence as { event: unknown }).event));
    if (entry.type === 'policy.migrated') {
      // A move between versions of the school's policy: which versions, and where the case went.
      const { fromVersion, toVersion } = (entry.evidence ?? {}) as { fromVersion?: number; toVersion?: number };
      const moved = entry.from !== entry.to && entry.to ? `: ${stateName(entry.from ?? 'new')} → ${stateName(entry.to)}` : '';
      items.push({ at: new Date(entry.at), kind: 'other', title: `Moved from version ${fromVersion} to version ${toVersion} of the school’s policy${moved}`, who: await who(entry.actor), evidence: evidenceOf(entry.evidence) });
      continue;
    }
    if (entry.type === 'assigned') {
      // Who it went to and from, by name: the ids the store keeps mean nothing to staff.
      const { assignee, previous, note } = (entry.evidence ?? {}) as { assignee?: string | null; previous?: string | null; note?: string | null };
      const evidence = [...(previous ? [{ label: 'Before', value: await who(previous) }] : []), ...(note ? [{ label: 'Why', value: note }] : [])];
      items.push({ at: new Date(entry.at), kind: 'other', title: assignee ? `Assigned to ${await who(assignee)}` : 'No longer assigned to anyone', who: await who(entry.actor), evidence });
      continue;
    }
    if (kind === 'note') {
      // "Phone call · 3 Dec 2025 · Priya Shah: …": what it was, the day it was about, who wrote it.
      const note = noteView(entry, await who(entry.actor));
      const evidence = note.safeguarding ? [{ label: 'Safeguarding', value: 'a concern referred elsewhere: the referral itself is kept in the school’s safeguarding record' }] : [];
      items.push({ at: new Date(entry.at), kind, title: `${note.heading}: ${note.text}`, who: await who(entry.actor), evidence });
      continue;
    }
    const meeting = (entry.evidence as { meeting?: MeetingRecord } | null)?.meeting;
    if (meeting) {
      // The meeting's own record says what and when; the event's name and date would only repeat it in code words.
      const { event: _event, at: _at, ...rest } = entry.evidence as Record<string, unknown>;
      const moved = entry.from !== entry.to && entry.to ? ` – ${stateName(entry.from ?? 'new')} → ${stateName(entry.to)}` : '';
      const what = `${meeting.name ?? 'Attendance meeting'}: ${meeting.parentPresent ? 'held' : 'no parent or carer attended'}${moved}`;
      items.push({ at: new Date(entry.at), kind, title: what, who: await who(entry.actor), evidence: evidenceOf(rest) });
      continue;
    }
    items.push({ at: new Date(entry.at), kind, title: approvalTitle(entry) ?? title, who: await who(entry.actor), evidence: evidenceOf(entry.evidence) });
  }
  for (const letter of detail.letters) {
    items.push({
      at: new Date(letter.sentAt ?? letter.createdAt),
      kind: letter.kind === 'letter' ? 'letter' : 'email',
      title: `${letter.kind === 'letter' ? 'Letter' : 'Email'}: ${letter.subject}`,
      who: 'Letters and emails',
      evidence: [
        { label: 'To', value: `${letter.recipientName} (${words(letter.recipientRole).toLowerCase()})` },
        { label: 'Status', value: words(letter.status) },
      ],
      pdfMessageId: letter.hasPdf ? letter.id : undefined,
    });
  }
  for (const task of detail.tasks) {
    items.push({ at: new Date(task.createdAt), kind: 'task', title: `Task set: ${task.title}`, who: 'The workflow', evidence: [{ label: 'Due', value: longDate(task.dueDate) }] });
    if (task.completedAt) {
      items.push({ at: new Date(task.completedAt), kind: 'task', title: `Task ${words(task.status).toLowerCase()}: ${task.title}`, who: await who(task.completedBy), evidence: task.note ? [{ label: 'Note', value: task.note }] : [] });
    }
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime());
}

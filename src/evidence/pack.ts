import { ATTENDANCE_CODES, isThresholdUnauthorised } from '../domain/codes.ts';
import { compareDates, isIsoDate } from '../domain/dates.ts';
import type { IsoDate } from '../domain/types.ts';
import { loadLetterSource, type LetterSource } from '../letters/letter-data.ts';
import { letterPdf } from '../letters/pdf-pool.ts';
import { longDate, words } from '../domain/words.ts';
import { CONSIDERATIONS } from '../domain/penalty-notices.ts';
import type { Store, TimelineEntry } from '../store/types.ts';
import { zipSync } from 'fflate';
import { csvFile } from './csv.ts';
import { meetingRows, noteCategoryLabel, type MeetingRecord, type NoteEvidence } from '../domain/casework-records.ts';

const escape = (value: unknown) => String(value ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const meaningOf = new Map(ATTENDANCE_CODES.map((code) => [code.code, code.meaning]));
const MEETING_EVENTS = new Set(['MEETING_HELD', 'PARENT_DID_NOT_ATTEND', 'CONTRACT_AGREED', 'CONTRACT_DECLINED']);

/** A section's rows as the PDF prints them: the CSVs keep dates as a spreadsheet sorts them, the PDF as the LA reads them. */
function table(head: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p><em>None recorded.</em></p>';
  // A date is kept on one line (no-break spaces): a table's narrow date column would split it.
  const cell = (value: unknown) => escape(isIsoDate(value) ? longDate(value).replace(/ /g, '\u00a0') : value);
  return `<table><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr>${rows.map((row) => `<tr>${row.map((value) => `<td>${cell(value)}</td>`).join('')}</tr>`).join('')}</table>`;
}

const questionOf = new Map<string, string>(CONSIDERATIONS.map(({ id, question }) => [id, question]));

const eventOf = (entry: TimelineEntry) => (entry.evidence as { event?: string } | null)?.event ?? entry.type;
const meetingOf = (entry: TimelineEntry) => (entry.evidence as { meeting?: MeetingRecord } | null)?.meeting ?? null;

const EVENT_WORDS: Record<string, string> = {
  MEETING_HELD: 'Meeting held',
  PARENT_DID_NOT_ATTEND: 'Meeting: no parent or carer attended',
  CONTRACT_AGREED: 'Attendance contract agreed',
  CONTRACT_DECLINED: 'Attendance contract declined',
};

/** A meeting or note of the timeline as one row: the day it was about, what, who recorded it, and its detail in words. */
function meetingLine(entry: TimelineEntry, nameOf: (actor: string) => string): unknown[] {
  const meeting = meetingOf(entry);
  const by = nameOf(entry.actor);
  if (entry.type === 'note') {
    const note = entry.evidence as Partial<NoteEvidence>;
    return [note.on ?? entry.at.toISOString().slice(0, 10), noteCategoryLabel(note.category), by, note.text ?? ''];
  }
  if (meeting) {
    const what = `${meeting.name ?? 'Attendance meeting'}: ${meeting.parentPresent ? 'held' : 'no parent or carer attended'}`;
    return [meeting.date, what, by, meetingRows(meeting, longDate).filter((row) => row.label !== 'Meeting' && row.label !== 'Date').map((row) => `${row.label}: ${row.value}`).join('\n')];
  }
  const event = eventOf(entry);
  return [(entry.evidence as { at?: string } | null)?.at ?? entry.at.toISOString().slice(0, 10), EVENT_WORDS[event] ?? words(event), by, ''];
}

/** Everything a penalty-notice request must show the LA, from the case as the store holds it. */
export function packSections(source: LetterSource, timeline: TimelineEntry[], nameOf: (actor: string) => string = (actor) => actor) {
  const { context, marks, calendar, today } = source;
  const sorted = [...marks].sort((a, b) => compareDates(a.date, b.date) || a.session.localeCompare(b.session));
  const thresholdOn: IsoDate = context.thresholdMetOn ?? today;
  const windowStart = calendar.rollingWindowStart(thresholdOn, 10);
  const counted = sorted.filter((m) => isThresholdUnauthorised(m.code) && compareDates(m.date, windowStart) >= 0 && compareDates(m.date, thresholdOn) <= 0);
  const nti = context.noticeToImprove ?? null;
  const duringNti = nti ? sorted.filter((m) => compareDates(m.date, nti.issuedOn) >= 0 && compareDates(m.date, nti.endsOn) <= 0) : [];
  const letters = source.messages.filter((m) => m.status === 'sent' || m.status === 'printOnly');
  const meetings = timeline.filter((entry) => MEETING_EVENTS.has(eventOf(entry)) || entry.type === 'note');
  const support = source.tasks;
  const considerations = context.considerations ?? null;
  return {
    certificate: { head: ['date', 'session', 'code', 'meaning'], rows: sorted.map((m) => [m.date, m.session, m.code, meaningOf.get(m.code) ?? '']) },
    threshold: { windowStart, thresholdOn, head: ['date', 'session', 'code'], rows: counted.map((m) => [m.date, m.session, m.code]) },
    considerations: {
      head: ['consideration', 'answer', 'rationale'],
      rows: considerations ? Object.entries(considerations.answers).map(([id, a]) => [questionOf.get(id) ?? words(id), a.answer ? 'Yes' : 'No', a.rationale]) : [],
      recorded: considerations ? `Recorded on ${longDate(considerations.recordedOn)} by ${nameOf(considerations.by)}; the decision: ${words(considerations.decision)}.` : null,
    },
    letters: { head: ['date', 'letter', 'recipient', 'relationship/role', 'how'], rows: letters.map((m) => [(m.sentAt ?? m.createdAt).toISOString().slice(0, 10), m.subject, m.recipientName, words(m.recipientRole).toLowerCase(), m.status === 'sent' ? `email to ${m.recipientEmail ?? ''}` : 'printed for post']) },
    meetings: { head: ['date', 'what', 'recorded by', 'detail'], rows: meetings.map((e) => meetingLine(e, nameOf)) },
    /** The meetings recorded with their plan, for the pack's readable section. */
    plans: meetings.map(meetingOf).filter((meeting): meeting is MeetingRecord => meeting !== null),
    support: { head: ['due', 'support or action', 'status', 'completed'], rows: support.map((t) => [t.dueDate, t.title, words(t.status), t.completedAt ? `${longDate(t.completedAt)}${t.completedBy ? ` by ${nameOf(t.completedBy)}` : ''}` : '']) },
    noticeToImprove: { nti, head: ['date', 'session', 'code', 'meaning'], rows: duringNti.map((m) => [m.date, m.session, m.code, meaningOf.get(m.code) ?? '']) },
  };
}

/** A recorded meeting as the LA reads it: the date, who came, whether a parent or carer did, the plan, its actions and the outcome. */
function planSection(meeting: MeetingRecord): string {
  const rows = meetingRows(meeting, longDate).filter((row) => row.label !== 'Meeting');
  const actions = meeting.actions.length
    ? `<ul>${meeting.actions.map((action) => `<li>${escape(action.what)} – ${escape(action.ownerName)}, by ${escape(longDate(action.due))}</li>`).join('')}</ul>`
    : '<p>No actions were set.</p>';
  return `<h3>${escape(meeting.name ?? 'Attendance meeting')}, ${escape(longDate(meeting.date))}</h3>
${rows.filter((row) => row.label !== 'Actions').map((row) => `<p><strong>${escape(row.label)}:</strong> ${escape(row.value)}</p>`).join('\n')}
<p><strong>Actions agreed</strong></p>${actions}`;
}

export interface EvidencePack {
  pdf: Buffer;
  zip: Buffer;
  fileName: string;
}

/** The penalty-notice request evidence pack: one PDF, and a zip of its parts (the PDF, CSVs, the letters as sent). */
export async function buildEvidencePack(store: Store, caseId: string, today: IsoDate, at: Date): Promise<EvidencePack> {
  const source = await loadLetterSource(store, caseId, today);
  const timeline = await store.listTimeline(caseId);
  // Who recorded each meeting and note, by name: the ids the store keeps mean nothing to the LA.
  const names = new Map<string, string>();
  for (const actor of new Set(timeline.filter((entry) => !entry.actor.startsWith('system:')).map((entry) => entry.actor))) {
    names.set(actor, (await store.getUser(actor))?.name ?? 'a former member of staff');
  }
  const s = packSections(source, timeline, (actor) => names.get(actor) ?? 'the service');
  const { pupil, school } = source;
  const nti = s.noticeToImprove.nti;
  const html = `<!doctype html><html><head><title>Penalty notice request evidence: ${escape(pupil.forename)} ${escape(pupil.surname)}</title></head><body>
<h1>Penalty notice request: evidence pack</h1>
<p><strong>${escape(school.name)}</strong> (${escape(school.localAuthority)}). Pupil: ${escape(pupil.forename)} ${escape(pupil.surname)}, UPN ${escape(pupil.upn)}, born ${escape(longDate(pupil.dateOfBirth))}, year ${escape(pupil.yearGroup)}. Case ${escape(caseId)}. Prepared ${escape(longDate(today))}.</p>
<h2>1. Threshold calculation</h2>
<p>${s.threshold.rows.length} sessions of unauthorised absence (G, O, U) in the 10 school weeks from ${escape(longDate(s.threshold.windowStart))} to ${escape(longDate(s.threshold.thresholdOn))}; the national threshold is 10. The sessions counted:</p>
${table(s.threshold.head, s.threshold.rows)}
<h2>2. Considerations recorded</h2>
<p>${escape(s.considerations.recorded ?? 'No considerations are recorded on this case.')}</p>
${table(s.considerations.head, s.considerations.rows)}
<h2>3. Letters sent</h2>
${table(s.letters.head, s.letters.rows)}
<h2>4. Meetings and notes</h2>
${s.plans.map(planSection).join('\n')}
${table(s.meetings.head, s.meetings.rows)}
<h2>5. Support and early help offered</h2>
${table(s.support.head, s.support.rows)}
<h2>6. Notice to Improve and its improvement period</h2>
<p>${nti ? `Issued ${escape(longDate(nti.issuedOn))}; improvement period to ${escape(longDate(nti.endsOn))}. Attendance during it:` : 'No Notice to Improve is recorded on this case.'}</p>
${nti ? table(s.noticeToImprove.head, s.noticeToImprove.rows) : ''}
<h2>7. Attendance certificate</h2>
<p>Every session recorded for ${escape(pupil.forename)} ${escape(pupil.surname)} in the period, with its code.</p>
${table(s.certificate.head, s.certificate.rows)}
</body></html>`;
  const pdf = await letterPdf(html, { title: `Evidence pack ${pupil.upn}`, author: school.name });
  const letterPdfs = source.messages
    .filter((m) => m.pdf && (m.status === 'sent' || m.status === 'printOnly'))
    .map((m, i) => ({ name: `letters/${String(i + 1).padStart(2, '0')}-${m.template.replace(/\//g, '-')}-${m.recipientRole}.pdf`, data: m.pdf! }));
  const parts = [
    { name: 'evidence-pack.pdf', data: pdf },
    { name: 'attendance-certificate.csv', data: csvFile(s.certificate.head, s.certificate.rows) },
    { name: 'threshold-sessions.csv', data: csvFile(s.threshold.head, s.threshold.rows) },
    { name: 'considerations.csv', data: csvFile(s.considerations.head, s.considerations.rows) },
    { name: 'letters-sent.csv', data: csvFile(s.letters.head, s.letters.rows) },
    { name: 'meetings.csv', data: csvFile(s.meetings.head, s.meetings.rows) },
    { name: 'support.csv', data: csvFile(s.support.head, s.support.rows) },
    { name: 'notice-to-improve-period.csv', data: csvFile(s.noticeToImprove.head, s.noticeToImprove.rows) },
    ...letterPdfs,
  ];
  // A maintained writer: CRC-32, UTF-8 names flagged, deflate for the CSVs (PDFs are compressed already).
  const zip = Buffer.from(zipSync(Object.fromEntries(parts.map((p) => [p.name, [p.data, { mtime: at, level: p.name.endsWith('.pdf') ? 0 : 6 }]]))));
  return { pdf, zip, fileName: `evidence-pack-${pupil.upn}` };
}

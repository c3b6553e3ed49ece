import { lastLetterSent, stageLetter } from './sent-letters.ts';
import { createHash } from 'node:crypto';
import type { CaseContext, PenaltyNoticeRecord } from '../domain/case-types.ts';
import { caseMachine, schoolMachineFor } from '../cases/case-machines.ts';
import type { SchoolCalendar } from '../domain/calendar.ts';
import { ATTENDANCE_CODES, isThresholdUnauthorised } from '../domain/codes.ts';
import { addDays, compareDates } from '../domain/dates.ts';
import { computeMetrics } from '../domain/metrics.ts';
import { describeDuration } from '../domain/policy.ts';
import type { Policy } from '../domain/policy.ts';
import type { IsoDate, Mark, Session } from '../domain/types.ts';
import type { Contact, LetterOverride, Message, PostalAddress, Pupil, School, SchoolLetterhead, Store, Task } from '../store/types.ts';

/**
 * Everything a letter or email may say about a case, assembled in one place for the outbox
 * handlers and the CLI preview alike, so a preview shows exactly what a parent would get.
 */

/** Who one message is for: a parent or carer, or a professional the workflow notifies. */
export interface Addressee {
  role: 'parent' | 'ewo' | 'la' | 'socialWorker' | 'homeSchool';
  name: string;
  relationship: string;
  email: string | null;
  /** Where a letter by post goes: a parent's or professional's from their contact record; null for a mailbox or when none is known. */
  address: PostalAddress | null;
  /** Stable within a pupil's contacts: keys the message made for this person. */
  key: string;
}

export interface RecordWeek {
  weekOf: IsoDate;
  /** Mon AM, Mon PM ... Fri PM: the code, '' for no mark, '–' where the school was closed. */
  cells: string[];
}

export interface LetterSource {
  school: School;
  policy: Policy;
  calendar: SchoolCalendar;
  pupil: Pupil;
  contacts: Contact[];
  marks: Mark[];
  context: Partial<CaseContext>;
  caseId: string;
  tasks: Task[];
  /** Letters already produced for this case (for "support so far", and the last letter sent). */
  messages: Message[];
  /** The effect being written, whose own messages (a re-run after a crash) are not an earlier letter. */
  effectId?: string;
  today: IsoDate;
  /** The school's letterhead and its own wordings; none: the model letters as they are. */
  letters?: SchoolLetters;
}

/** What a school has made its letters its own with (school-letters.ts). */
export interface SchoolLetters {
  letterhead: SchoolLetterhead | null;
  overrides: LetterOverride[];
}

/** The school's own wording of a template, when it has one. */
export function wordingFor(source: Pick<LetterSource, 'letters'>, template: string): string | undefined {
  return source.letters?.overrides.find((override) => override.template === template)?.source;
}

/** The letterhead as letters use it: the logo as a data: URL (the email's HTML and the PDF carry it inline). */
function letterheadData(letterhead: SchoolLetterhead | null | undefined) {
  return {
    address: letterhead?.address ?? [],
    phone: letterhead?.phone ?? null,
    web: letterhead?.web ?? null,
    logo: letterhead?.logo ? `data:${letterhead.logo.contentType};base64,${letterhead.logo.bytes.toString('base64')}` : null,
  };
}

/** A contact's key: contacts have no id of their own and are replaced whole on each import. */
export function contactKey(contact: Pick<Contact, 'name' | 'relationship'>): string {
  return createHash('sha256').update(`${contact.name.trim().toLowerCase()}\n${contact.relationship}`).digest('hex').slice(0, 12);
}

const nullable = <T>(value: T | undefined): T | null => value ?? null;

/** The register from the start of the academic year (and the 10 school weeks before a threshold) to asOf. */
function recordWeeks(calendar: SchoolCalendar, marks: Mark[], from: IsoDate, asOf: IsoDate): RecordWeek[] {
  const byDay = new Map(marks.map((mark) => [`${mark.date}/${mark.session}`, mark.code]));
  const weeks: RecordWeek[] = [];
  for (let monday = calendar.schoolWeekStart(from); compareDates(monday, asOf) <= 0; monday = addDays(monday, 7)) {
    const days = [0, 1, 2, 3, 4].map((offset) => addDays(monday, offset));
    if (!days.some((day) => calendar.isSchoolDay(day))) continue;
    const cells = days.flatMap((day) =>
      (['AM', 'PM'] as Session[]).map((session) => {
        if (compareDates(day, from) < 0 || compareDates(day, asOf) > 0) return '';
        return calendar.isSchoolDay(day) ? (byDay.get(`${day}/${session}`) ?? '') : '–';
      }),
    );
    weeks.push({ weekOf: monday, cells });
  }
  return weeks;
}

export function assembleLetterData(source: LetterSource) {
  const { school, policy, calendar, pupil, marks, context, tasks, today } = source;
  const lastMark = marks.reduce<IsoDate | null>((latest, mark) => (compareDates(mark.date, today) <= 0 && (!latest || compareDates(mark.date, latest) > 0) ? mark.date : latest), null);
  // The register is only known up to its last mark; a letter speaks of that, not of days to come.
  const asOf = lastMark ?? (compareDates(today, calendar.coverage.end) > 0 ? calendar.coverage.end : today);
  const from = calendar.academicYearStart(asOf);
  const metrics = computeMetrics({ marks, calendar, asOf, from, bands: policy.bands });
  const windowStart = calendar.rollingWindowStart(asOf, 10);
  const offences = marks
    .filter((mark) => isThresholdUnauthorised(mark.code) && compareDates(mark.date, windowStart) >= 0 && compareDates(mark.date, asOf) <= 0)
    .sort((a, b) => compareDates(a.date, b.date) || a.session.localeCompare(b.session))
    .map(({ date, session, code }) => ({ date, session, code }));
  const weeks = recordWeeks(calendar, marks, from, asOf);
  const used = new Set(weeks.flatMap((week) => week.cells));
  const stage = policy.stages.find((candidate) => candidate.id === context.stage) ?? null;
  const meetingTask = tasks.find((task) => task.kind === 'meeting' && task.status === 'open') ?? null;
  const nti = context.noticeToImprove ?? null;
  const parents = context.parents ?? [];
  const nameOf = (notice: PenaltyNoticeRecord) => parents.find((parent) => parent.id === notice.parentId)?.name ?? null;

  return {
    today,
    /** Set on a legal step's notification as it is sent: the signed link that replaces the pupil's data. */
    evidenceLink: null as { url: string; expiresOn: IsoDate } | null,
    school: { id: school.id, name: school.name, localAuthority: school.localAuthority, targetPct: policy.targetPct },
    letterhead: letterheadData(source.letters?.letterhead),
    /** Who signs the school's letters; null: each letter's own role. */
    signatory:
      source.letters?.letterhead?.signatoryName && source.letters.letterhead.signatoryRole
        ? { name: source.letters.letterhead.signatoryName, role: source.letters.letterhead.signatoryRole }
        : null,
    pupil: {
      upn: pupil.upn,
      forename: pupil.forename,
      surname: pupil.surname,
      fullName: `${pupil.forename} ${pupil.surname}`,
      dateOfBirth: pupil.dateOfBirth,
      yearGroup: pupil.yearGroup,
      vulnerability: pupil.vulnerability,
    },
    attendance: {
      from,
      asOf,
      pct: metrics.attendancePct ?? 100,
      band: metrics.band,
      possibleSessions: metrics.possibleSessions,
      attendedSessions: metrics.presentSessions + metrics.approvedEducationSessions,
      authorisedSessions: metrics.authorisedSessions,
      unauthorisedSessions: metrics.unauthorisedSessions,
      missedSessions: metrics.authorisedSessions + metrics.unauthorisedSessions,
      lates: metrics.lates + metrics.lateAfterRegister,
      illnessDays: metrics.illnessDays,
      consecutiveDaysAbsent: metrics.consecutiveDaysAbsent,
      unauthorisedInRolling10Weeks: metrics.unauthorisedInRolling10Weeks,
      thresholdMet: metrics.nationalThresholdMet,
      windowStart,
      offences,
      persistentAbsence: metrics.persistentAbsence,
      severeAbsence: metrics.severeAbsence,
    },
    record: {
      weeks,
      key: ATTENDANCE_CODES.filter((code) => used.has(code.code)).map(({ code, meaning }) => ({ code, meaning })),
    },
    case: {
      id: source.caseId,
      stage: stage ? { id: stage.id, name: stage.name } : null,
      openedOn: nullable(context.openedOn),
      // The letter that went, as the messages record it: its date is the day it was sent, not the day its stage began.
      lastLetter: lastLetterSent(source.messages, context, source.effectId),
      stageLetter: stageLetter(source.messages, stage?.letter),
      lastMeeting: context.lastMeeting ?? null,
      meeting: stage?.meeting && meetingTask ? { name: stage.meeting.name, by: meetingTask.dueDate } : null,
      thresholdMetOn: nullable(context.thresholdMetOn),
      offenceOn: nullable(context.offenceOn),
      noticeToImprove: nti,
      penaltyNotices: (context.penaltyNotices ?? []).map((notice) => ({ ...notice, parentName: nameOf(notice) })),
      contract: context.contract ?? null,
      supervisionOrder: context.supervisionOrder ?? null,
      prosecution: context.prosecution ?? null,
      vulnerability: nullable(context.vulnerability),
    },
    support: {
      done: tasks
        .filter((task) => task.status === 'done')
        .map((task) => ({ title: task.title, on: task.completedAt ? task.completedAt.toISOString().slice(0, 10) : task.dueDate })),
      letters: source.messages
        .filter((message) => message.kind === 'letter' && message.status !== 'failed')
        .map((message) => ({ subject: message.subject, on: message.createdAt.toISOString().slice(0, 10) }))
        .filter((letter, i, all) => all.findIndex((other) => other.subject === letter.subject && other.on === letter.on) === i),
    },
    policy: {
      name: policy.name,
      noticeToImprove: {
        name: policy.noticeToImprove.name,
        period: describeDuration(policy.noticeToImprove.improvementPeriod),
        range: policy.noticeToImprove.improvementPeriodRange ?? null,
        unit: policy.noticeToImprove.improvementPeriod.unit,
      },
      contractName: policy.attendanceContract.name,
      legalRequestsTo: policy.legalRequestsTo,
    },
  };
}

export type CaseLetterData = ReturnType<typeof assembleLetterData>;
export type LetterData = CaseLetterData & { recipient: Addressee };

export function addressTo(data: CaseLetterData, recipient: Addressee): LetterData {
  return { ...data, recipient };
}

/** Reads a case and everything around it from the store. */
export async function loadLetterSource(store: Store, caseId: string, today: IsoDate): Promise<LetterSource> {
  const record = await store.getCase(caseId);
  if (!record) throw new Error(`no case '${caseId}'`);
  const school = await store.getSchool(record.schoolId);
  if (!school) throw new Error(`case ${caseId}: no school '${record.schoolId}'`);
  const pupil = await store.getPupil(record.schoolId, record.upn);
  if (!pupil) throw new Error(`case ${caseId}: no pupil '${record.upn}' at ${record.schoolId}`);
  // The case's own version of the school's policy: its letters cite that version's periods and names.
  const { workflow, calendar } = caseMachine(await schoolMachineFor(store, school), record);
  const latest = compareDates(today, calendar.coverage.end) > 0 ? calendar.coverage.end : today;
  const yearStart = calendar.academicYearStart(latest);
  const windowStart = calendar.rollingWindowStart(latest, 10);
  const [contacts, marks, tasks, messages, letterhead, overrides] = await Promise.all([
    store.listContacts(record.schoolId, record.upn),
    store.listMarks(record.schoolId, record.upn, { from: compareDates(windowStart, yearStart) < 0 ? windowStart : yearStart, to: latest }),
    store.listTasks({ caseId }),
    store.listMessages({ caseId }),
    store.getLetterhead(record.schoolId),
    store.listLetterOverrides(record.schoolId),
  ]);
  const snapshot = record.snapshot as { context?: Partial<CaseContext> } | null;
  return {
    school,
    policy: workflow.policy,
    calendar,
    pupil,
    contacts,
    marks,
    context: snapshot?.context ?? {},
    caseId,
    tasks,
    messages,
    today,
    letters: { letterhead, overrides },
  };
}

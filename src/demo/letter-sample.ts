import { DEMO_SCHOOLS, DEMO_TERM } from './demo-trust.ts';
import { CaseRunner } from '../simulator/case-runner.ts';
import { calendarFor, getWorkflow } from '../../workflows/index.ts';
import type { Mark } from '../domain/types.ts';
import type { Contact, Pupil, School, Task } from '../store/types.ts';
import type { LetterSource, SchoolLetters } from '../letters/letter-data.ts';

/**
 * A made-up pupil of a workflow's school with a register, two parents and a case part-way
 * through (a meeting due, a Notice to Improve, a penalty notice, a prosecution being prepared),
 * so every letter has something to say: for `letter preview --sample` and the template tests.
 */
export function sampleLetterSource(workflowId: string): LetterSource {
  const workflow = getWorkflow(workflowId);
  const { policy } = workflow;
  const demo = DEMO_SCHOOLS.find((candidate) => candidate.workflowId === workflowId);
  const localAuthority = demo?.localAuthority ?? policy.calendarId ?? 'coventry';
  const calendar = calendarFor(workflow, localAuthority);
  const school: School = {
    id: demo?.id ?? workflowId,
    trustId: demo?.trustId ?? 'sample',
    name: demo?.name ?? 'Sample Academy',
    workflowId,
    localAuthority,
    notifyEmails: {},
  };
  const pupil: Pupil = {
    schoolId: school.id,
    upn: 'A123456789012',
    forename: 'Jordan',
    surname: "O'Neill",
    dateOfBirth: '2013-05-14',
    yearGroup: '7',
    vulnerability: [],
    onRoll: true,
  };
  const parent = (name: string, relationship: string): Contact => ({
    schoolId: school.id,
    upn: pupil.upn,
    name,
    relationship,
    email: `${name.split(' ')[0]?.toLowerCase()}@example.org`,
    phone: '07700 900123',
    parentalResponsibility: true,
    livesWith: true,
  });
  // Made-up addresses (fictional streets, real-format postcodes), so a sample letter fills its envelope window.
  const contacts = [
    { ...parent("Maria O'Neill", 'mother'), address: { lines: ['14 Larkspur Road', 'Upper Marsh'], town: 'Coventry', postcode: 'CV5 6QX' } },
    { ...parent("Liam O'Neill", 'father'), address: { lines: ['Flat 2, 9 Osier Close'], town: 'Coventry', postcode: 'CV3 4NW' } },
  ];
  // A steady pattern with illness, unauthorised absence and lateness, about 85% attendance.
  const marks: Mark[] = calendar.schoolDays(DEMO_TERM.from, DEMO_TERM.to).flatMap((date, i): Mark[] => {
    const [am, pm] = i % 9 === 4 ? ['I', 'I'] : i % 11 === 7 ? ['O', 'O'] : i % 17 === 3 ? ['L', '\\'] : ['/', '\\'];
    return [
      { upn: pupil.upn, date, session: 'AM', code: am ?? '/' },
      { upn: pupil.upn, date, session: 'PM', code: pm ?? '\\' },
    ];
  });
  const openedOn = calendar.addSchoolDays(DEMO_TERM.from, 20);
  const runner = new CaseRunner(workflow, calendar, {
    caseId: 'sample-case',
    upn: pupil.upn,
    parents: contacts.map((contact, i) => ({ id: `parent-${i + 1}`, name: contact.name })),
  });
  runner.send({ type: 'OPEN', at: openedOn, evidence: { rule: 'sample', attendancePct: 88.5 } });
  const stage = policy.stages.find((candidate) => candidate.meeting) ?? policy.stages[0];
  const ntiFrom = calendar.addSchoolDays(DEMO_TERM.to, -25);
  const context = {
    ...runner.context,
    stage: stage?.id ?? null,
    lastLetter: { template: stage?.letter ?? 'national/first-letter', sentOn: openedOn, attendancePct: 88.5 },
    lastMeeting: { stage: stage?.id ?? 'stage1', on: calendar.addSchoolDays(openedOn, 8), attended: true },
    thresholdMetOn: ntiFrom,
    offenceOn: ntiFrom,
    noticeToImprove: { issuedOn: ntiFrom, endsOn: calendar.addSchoolDays(ntiFrom, 20) },
    penaltyNotices: [
      { id: 'sample-pn', parentId: 'parent-1', issuedOn: DEMO_TERM.to, sequence: 1 as const, amountDue: 80, status: 'awaitingPayment' as const, settledOn: null },
    ],
    prosecution: { offenceOn: ntiFrom, deadline: '2026-05-10', laidOn: null, outcome: null },
  };
  const task = (id: string, kind: string, title: string, status: Task['status'], dueDate: string): Task => ({
    id,
    caseId: 'sample-case',
    schoolId: school.id,
    kind,
    title,
    dueDate,
    status,
    assignee: null,
    createdAt: new Date(`${openedOn}T09:00:00Z`),
    completedAt: status === 'done' ? new Date(`${dueDate}T15:00:00Z`) : null,
    completedBy: status === 'done' ? 'sample' : null,
    note: null,
  });
  return {
    school,
    policy,
    calendar,
    pupil,
    contacts,
    marks,
    context,
    caseId: 'sample-case',
    tasks: [
      task('t1', 'exploreReasons', 'Explore the reasons for absence with the family and offer support', 'done', calendar.addSchoolDays(openedOn, 3)),
      task('t2', 'meeting', `Invite parents to the ${stage?.meeting?.name ?? 'meeting'}`, 'open', calendar.addSchoolDays(DEMO_TERM.to, 5)),
    ],
    // The policy's first letter, sent the morning the case opened: what a later letter cites.
    messages: [
      {
        id: 'sample-effect/parent/sample',
        effectId: 'sample-effect',
        caseId: 'sample-case',
        schoolId: school.id,
        template: policy.stages[0]?.letter ?? context.lastLetter.template,
        kind: 'letter',
        recipientRole: 'parent',
        recipientName: contacts[0]?.name ?? 'Parent',
        recipientEmail: contacts[0]?.email ?? null,
        subject: 'Attendance letter',
        messageId: '<sample-effect@attendance.invalid>',
        status: 'sent',
        transport: null,
        raw: null,
        pdf: null,
        error: null,
        createdAt: new Date(`${openedOn}T09:00:00Z`),
        sentAt: new Date(`${openedOn}T09:00:00Z`),
      },
    ],
    today: '2025-12-01',
  };
}

/** The sample case told as the school's own: its name and address, its letterhead and wordings. */
export function schoolLetterSample(school: School, letters: SchoolLetters): LetterSource {
  const sample = sampleLetterSource(school.workflowId);
  return { ...sample, school: { ...sample.school, id: school.id, trustId: school.trustId, name: school.name, notifyEmails: school.notifyEmails ?? {} }, letters };
}

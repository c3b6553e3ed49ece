// Issue 19 items 5 and 6: a meeting recorded as school staff do (its plan, actions and outcome,
// the meeting task closed, the plan in the evidence pack), and notes with author, category and date.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, SCHOOLS, type UserKey, type World } from './world.ts';
import { importRegister } from '../../support/register.ts';
import { pdfText } from '../../support/pdf.ts';
import { readZip } from '../../support/zip.ts';
import { evidence } from '../../unit/machines/support.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { createOutboxDispatcher } from '../../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../../src/jobs/effect-handlers.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { createLogger } from '../../../src/logger.ts';

const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

const PLAN = 'Sam comes in through the side gate with a key adult; mum rings the office by 8:45 on any day Sam is ill.';
const meeting = (version: number, changes: object = {}) => ({
  type: 'MEETING_RECORDED',
  expectedVersion: version,
  date: '2024-11-22',
  attendees: 'Jo Taylor (mother), Priya Shah (pastoral lead), Mr Khan (form tutor)',
  parentPresent: true,
  agreed: PLAN,
  actions: [
    { what: 'Ring mum every Monday morning', owner: 'u-pastoral', due: '2024-12-02' },
    { what: 'Refer the family to Early Help', owner: 'u-champion', due: '2024-12-06' },
  ],
  outcome: 'Action plan agreed; review at the end of the four weeks.',
  ...changes,
});

describe('meetings recorded as school staff do, and notes as CPOMS users keep them', () => {
  let world: World;
  const as = async (user: UserKey) => {
    const agent = await world.login(user);
    return {
      get: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie),
      file: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie).buffer(true).parse(binary),
      post: (path: string, body: object) => request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body),
      form: (path: string, body: Record<string, string>) => request(world.app).post(path).set('Cookie', agent.cookie).type('form').send({ _csrf: agent.csrf, ...body }),
    };
  };
  const versionOf = async (caseId: string) => (await world.db.store.getCase(caseId))!.version;
  const openTasks = async (caseId: string) => world.db.store.listTasks({ caseId, status: 'open' });

  beforeAll(async () => {
    world = await createWorld();
    const { store } = world.db;
    const logger = createLogger('silent');
    // Staff as the pages name them.
    for (const [id, name] of [['u-pastoral', 'Priya Shah'], ['u-champion', 'Dan Okafor'], ['u-otherPastoral', 'Alex Reed']] as const) {
      await store.upsertUser({ ...(await store.getUser(id))!, name });
    }
    const cases = createCaseService({ store, clock: world.clock, logger });
    for (const key of ['s1', 's3'] as const) {
      const calendar = calendarFor(getWorkflow(SCHOOLS[key].workflowId), SCHOOLS[key].localAuthority);
      await importRegister(store, key, SCHOOLS[key].upn, calendar, '2024-09-03', '2024-11-22', { '2024-10-07 AM': 'O', '2024-10-07 PM': 'O' });
      // The four-week review finds no improvement: Stage 1b, with Letter B and the Informal School Attendance Meeting.
      const review = (await store.getTimer(world.caseIds[key], 'review'))!;
      const escalated = await cases.send(world.caseIds[key], { type: 'REVIEW_DUE', at: '2024-11-18', timerId: (review.event as { timerId: string }).timerId, evidence: evidence(90.6, -2.5) }, { actor: 'system:timer' });
      expect(escalated.to).toBe('open.stage1b');
    }
    // The outbox sets the stage's tasks, the meeting task among them.
    await createOutboxDispatcher({ store, clock: { now: () => new Date() }, logger, handlers: coreEffectHandlers({ store, clock: world.clock, logger }) }).drain();
    world.clock.set(new Date('2024-11-25T09:00:00Z'));
  });
  afterAll(async () => world?.close());

  it('when a case is at a stage with a meeting, then the case page offers the meeting form, saying what a missed meeting does under the policy', async () => {
    const staff = await as('pastoral');
    const detail = (await staff.get(`/api/cases/${world.caseIds.s1}`)).body;
    expect(detail.allowedActions.find((a: { type: string }) => a.type === 'MEETING_RECORDED')).toMatchObject({ youMay: true, meeting: { name: 'Informal School Attendance Meeting', ifParentAbsent: 'open.stage2' } });
    expect((await openTasks(world.caseIds.s1)).map((t) => t.kind)).toContain('meeting');
    const page = (await staff.get(`/cases/${world.caseIds.s1}`)).text;
    expect(page).toContain('Record the meeting');
    expect(page).toContain('Was a parent or carer there?');
    expect(page).toContain('the policy then moves the case to Stage 2');
    expect(page).toContain('<option value="u-champion">Dan Okafor</option>');
  });

  it('when a meeting is in the future, before the case opened, too long, or gives an action to another school’s staff, then it is a 400 saying so and nothing is written', async () => {
    const staff = await as('pastoral');
    const caseId = world.caseIds.s1;
    const version = await versionOf(caseId);
    const [timelineBefore, tasksBefore] = [(await world.db.store.listTimeline(caseId)).length, (await world.db.store.listTasks({ caseId })).length];
    const refused = async (changes: object, field: string, words: RegExp) => {
      const res = await staff.post(`/api/cases/${caseId}/events`, meeting(version, changes));
      expect(res.status, JSON.stringify(changes).slice(0, 80)).toBe(400);
      const problem = (res.body.error.details.problems as { field: string; message: string }[]).find((p) => p.field === field);
      expect(problem?.message).toMatch(words);
    };
    await refused({ date: '2024-11-26' }, 'date', /cannot be in the future: today is Monday 25 November 2024/);
    await refused({ date: '2024-10-01' }, 'date', /cannot be before the case opened on Monday 14 October 2024/);
    await refused({ agreed: 'x'.repeat(5001) }, 'agreed', /keep what was agreed to 5000 characters/);
    await refused({ attendees: 'x'.repeat(1001) }, 'attendees', /1000 characters/);
    await refused({ actions: [{ what: 'Home visit', owner: 'u-otherPastoral', due: '2024-12-02' }] }, 'actions.0.owner', /one of the school’s active staff/);
    await refused({ actions: [{ what: 'Home visit', owner: 'u-pastoral', due: '2024-11-01' }] }, 'actions.0.due', /cannot be due before the meeting/);
    await refused({ agreed: '' }, 'agreed', /say what was agreed/);
    expect(await versionOf(caseId)).toBe(version);
    expect(await world.db.store.listTimeline(caseId)).toHaveLength(timelineBefore);
    expect(await world.db.store.listTasks({ caseId })).toHaveLength(tasksBefore);
  });

  it('when the meeting is recorded with its plan and actions, then the meeting task closes, each action is a task for its owner, the chart records it, and the form is no longer offered', async () => {
    const staff = await as('pastoral');
    const caseId = world.caseIds.s1;
    const res = await staff.post(`/api/cases/${caseId}/events`, meeting(await versionOf(caseId)));
    expect(res.status).toBe(200);
    // West Coventry keeps a case at Stage 1b when its meeting is held: the review decides what next.
    expect(res.body).toMatchObject({ from: 'open.stage1b', to: 'open.stage1b' });
    const tasks = await world.db.store.listTasks({ caseId });
    expect(tasks.filter((t) => t.kind === 'meeting')).toEqual([expect.objectContaining({ status: 'done', completedBy: 'u-pastoral', note: 'Meeting held on Friday 22 November 2024' })]);
    expect(tasks.find((t) => t.kind === 'actionPlan')).toMatchObject({ status: 'done' });
    expect(tasks.filter((t) => t.kind === 'meetingAction').map((t) => ({ title: t.title, assignee: t.assignee, dueDate: t.dueDate, status: t.status }))).toEqual([
      { title: 'Ring mum every Monday morning (agreed at the Informal School Attendance Meeting on Friday 22 November 2024)', assignee: 'u-pastoral', dueDate: '2024-12-02', status: 'open' },
      { title: 'Refer the family to Early Help (agreed at the Informal School Attendance Meeting on Friday 22 November 2024)', assignee: 'u-champion', dueDate: '2024-12-06', status: 'open' },
    ]);
    const record = (await world.db.store.getCase(caseId))!;
    expect((record.snapshot as { context: { lastMeeting: unknown } }).context.lastMeeting).toEqual({ stage: 'stage1b', on: '2024-11-22', attended: true });
    const entry = (await world.db.store.listTimeline(caseId)).at(-1)!;
    expect(entry).toMatchObject({ actor: 'u-pastoral', evidence: { event: 'MEETING_HELD', meeting: { date: '2024-11-22', parentPresent: true, agreed: PLAN, actions: [{ ownerName: 'Priya Shah' }, { ownerName: 'Dan Okafor' }] } } });
    const detail = (await staff.get(`/api/cases/${caseId}`)).body;
    expect(detail.allowedActions.map((a: { type: string }) => a.type)).not.toContain('MEETING_RECORDED');
    const page = (await staff.get(`/cases/${caseId}`)).text;
    expect(page).not.toContain('Record the meeting');
    expect(page).toContain('for Dan Okafor · due');
    const again = await staff.post(`/api/cases/${caseId}/events`, meeting(await versionOf(caseId)));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('the Informal School Attendance Meeting of this stage is recorded already: add a note for anything since');
    const timeline = (await staff.get(`/cases/${caseId}/timeline`)).text;
    expect(timeline).toContain('Informal School Attendance Meeting: held');
    expect(timeline).toContain('Ring mum every Monday morning – Priya Shah, by Monday 2 December 2024');
  });

  it('when the evidence pack is exported, then it shows the agreed plan: date, who, parent present, the plan, actions with owners and dates, and the outcome', async () => {
    const staff = await as('champion');
    const pdf = await staff.file(`/api/cases/${world.caseIds.s1}/evidence-pack.pdf`);
    expect(pdf.status).toBe(200);
    const text = (await pdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain('Informal School Attendance Meeting, Friday 22 November 2024');
    expect(text).toContain('Who attended: Jo Taylor (mother), Priya Shah (pastoral lead), Mr Khan (form tutor)');
    expect(text).toContain('Parent or carer present: Yes');
    expect(text).toContain(`What was agreed: ${PLAN}`);
    expect(text).toContain('Ring mum every Monday morning – Priya Shah, by Monday 2 December 2024');
    expect(text).toContain('Refer the family to Early Help – Dan Okafor, by Friday 6 December 2024');
    expect(text).toContain('Outcome: Action plan agreed; review at the end of the four weeks.');
    const zip = await readZip((await staff.file(`/api/cases/${world.caseIds.s1}/evidence-pack.zip`)).body as Buffer);
    const csv = zip.get('meetings.csv')!.toString('utf8');
    expect(csv).toContain('2024-11-22,Informal School Attendance Meeting: held,Priya Shah,');
    expect(csv).toContain('Refer the family to Early Help – Dan Okafor, by Friday 6 December 2024');
  });

  it('when the form says no parent or carer was there, then the policy’s path for a missed meeting is taken and the page says where the case went', async () => {
    const staff = await as('otherPastoral');
    const caseId = world.caseIds.s3;
    const res = await staff.form(`/cases/${caseId}/actions`, {
      type: 'MEETING_RECORDED',
      expectedVersion: String(await versionOf(caseId)),
      date: '2024-11-21',
      attendees: 'Alex Reed (pastoral lead)',
      parentPresent: 'no',
      agreed: '',
      'action1.what': 'Home visit to offer another date',
      'action1.owner': 'u-otherPastoral',
      'action1.due': '2024-11-27',
      outcome: 'Mother did not come and did not ring.',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/cases/${caseId}?done=meeting-missed`);
    const page = (await staff.get(res.headers.location!)).text;
    expect(page).toContain('Recorded: no parent or carer attended the meeting');
    expect(page).toContain('As the policy says for a missed meeting, the case has moved on: it is now at Stage 2.');
    expect((await world.db.store.getCase(caseId))!.state).toBe('open.stage2');
    const entry = (await world.db.store.listTimeline(caseId)).find((e) => (e.evidence as { event?: string }).event === 'PARENT_DID_NOT_ATTEND');
    expect(entry).toMatchObject({ from: 'open.stage1b', to: 'open.stage2', evidence: { meeting: { parentPresent: false, actions: [{ ownerName: 'Alex Reed' }] } } });
    const tasks = await world.db.store.listTasks({ caseId });
    expect(tasks.find((t) => t.kind === 'meeting' && t.status === 'done')).toMatchObject({ note: 'Meeting on Thursday 21 November 2024: no parent or carer attended' });
    // Nothing was agreed with the family; the case has moved on to Stage 2, so Stage 1b's task to agree a plan closes with its stage.
    expect(tasks.find((t) => t.kind === 'actionPlan')).toMatchObject({ status: 'cancelled', note: 'closed: the case moved to Stage 2' });
    expect(tasks.find((t) => t.kind === 'meetingAction')).toMatchObject({ assignee: 'u-otherPastoral', dueDate: '2024-11-27' });
  });

  it('when a form’s action goes to someone outside the school, then the page shows the problem in words and keeps what was typed', async () => {
    const staff = await as('pastoral');
    await world.db.store.createTask({ id: 'meeting-again', caseId: world.caseIds.s1, schoolId: 's1', kind: 'meeting', title: 'Invite parents again', dueDate: '2024-12-02', createdAt: world.clock.now() });
    const res = await staff.form(`/cases/${world.caseIds.s1}/actions`, {
      type: 'MEETING_RECORDED',
      expectedVersion: String(await versionOf(world.caseIds.s1)),
      date: '2024-11-25',
      attendees: 'Jo Taylor (mother)',
      parentPresent: 'yes',
      agreed: 'Keep going',
      'action1.what': 'Phone the family',
      'action1.owner': 'u-otherPastoral',
      'action1.due': '2024-11-29',
      outcome: 'Agreed',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Action 1 (who): choose one of the school’s active staff to do it');
    expect(res.text).toContain('value="Phone the family"');
  });

  it('when staff add notes with a category and date, then the case page and timeline show "category · date · author: text", a future date is refused, and a safeguarding referral is labelled', async () => {
    const staff = await as('pastoral');
    const caseId = world.caseIds.s1;
    const post = async (body: object) => staff.post(`/api/cases/${caseId}/events`, { type: 'NOTE', expectedVersion: await versionOf(caseId), ...body });
    const future = await post({ text: 'Will ring tomorrow', category: 'phoneCall', on: '2024-11-26' });
    expect(future.status).toBe(400);
    expect(future.body.error.details.problems).toEqual([expect.objectContaining({ field: 'on', message: 'a note cannot be about a day in the future' })]);
    expect((await post({ text: 'x', category: 'gossip' })).status).toBe(400);
    expect((await post({ text: 'Mum says Sam is anxious about PE', category: 'phoneCall', on: '2024-11-21' })).status).toBe(200);
    expect((await post({ text: 'Referred to the DSL', category: 'safeguardingReferral' })).status).toBe(200);
    const page = (await staff.get(`/cases/${caseId}`)).text;
    expect(page).toContain('<strong>Phone call · Thursday 21 November 2024 · Priya Shah:</strong> Mum says Sam is anxious about PE');
    expect(page).toContain('<strong>Safeguarding concern referred elsewhere · Monday 25 November 2024 · Priya Shah:</strong> Referred to the DSL');
    expect(page).toContain('<span class="tag tag-red">Safeguarding concern referred elsewhere</span>');
    expect(page).not.toMatch(/·\s*u-pastoral/);
    const timeline = (await staff.get(`/cases/${caseId}/timeline`)).text;
    expect(timeline).toContain('Phone call · Thursday 21 November 2024 · Priya Shah: Mum says Sam is anxious about PE');
    const entries = (await staff.get(`/api/cases/${caseId}/timeline`)).body.entries as { type: string; actorName: string | null; evidence: unknown }[];
    expect(entries.filter((e) => e.type === 'note').at(-2)).toMatchObject({ actorName: 'Priya Shah', evidence: { category: 'phoneCall', on: '2024-11-21' } });
    const form = await staff.form(`/cases/${caseId}/actions`, { type: 'NOTE', expectedVersion: String(await versionOf(caseId)), category: 'homeVisit', on: '2024-11-25', text: 'Visited: nobody home' });
    expect(form.status).toBe(303);
    expect((await staff.get(`/cases/${caseId}`)).text).toContain('Home visit · Monday 25 November 2024 · Priya Shah:</strong> Visited: nobody home');
  });
});

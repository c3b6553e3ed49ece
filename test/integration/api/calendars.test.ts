import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';
import { evaluateSchool } from '../../../src/cases/evaluate-school.ts';

const pupil = (upn: string) => ({ upn, forename: 'Ali', surname: 'Khan', dateOfBirth: '2011-02-03', yearGroup: '9', vulnerability: [], onRoll: true });

describe('school calendars over the API', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
    // A school in an LA whose term dates the service does not hold.
    await world.db.store.upsertSchool({ id: 's4', trustId: 't1', name: 'Rutland Academy', workflowId: 'west-coventry', localAuthority: 'Rutland' });
  });
  afterAll(async () => world?.close());

  const get = async (user: UserKey, school: string) => {
    const agent = await world.login(user);
    return request(world.app).get(`/api/schools/${school}/calendar`).set('Cookie', agent.cookie);
  };
  const post = async (user: UserKey, path: string, body: object) => {
    const agent = await world.login(user);
    return request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body);
  };
  const reviewDue = async (school: string, upn: string) => {
    const opened = await world.deps.cases.open(school, upn, { type: 'OPEN', at: '2024-10-14', evidence: { rule: 'test', attendancePct: 88 } }, 'system:test');
    return (await world.db.store.getTimer(opened.case.id, 'review'))?.dueAt.toISOString().slice(0, 10);
  };

  it('when the school’s staff read its calendar, then they see its LA’s terms with their school days and may not edit; staff of another school get 404', async () => {
    const res = await get('pastoral', 's1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ localAuthorityCalendar: { id: 'coventry', name: 'Coventry' }, revision: 0, entries: [], mayEdit: false, problems: [] });
    expect(res.body.terms).toContainEqual({ name: 'Autumn 1 2024', start: '2024-09-02', end: '2024-10-25', source: 'la', schoolDays: 40 });
    expect((await get('lead', 's1')).body.mayEdit).toBe(false);
    expect((await get('otherPastoral', 's1')).status).toBe(404);
  });

  it('when a pastoral leader or the trust lead tries to add an INSET day, then 403 and nothing changes', async () => {
    for (const user of ['pastoral', 'lead'] as const) {
      expect((await post(user, '/api/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-21' })).status).toBe(403);
    }
    expect((await world.db.store.getSchoolCalendar('s1')).revision).toBe(0);
  });

  it('when the champion adds an INSET day to one school, then its case deadlines move by a school day and its neighbour’s in the same LA do not', async () => {
    await world.db.store.upsertPupils('s1', [pupil('A331400112901')]);
    await world.db.store.upsertPupils('s3', [pupil('C331400112903')]);
    const res = await post('champion', '/api/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-21', description: 'Training day' });
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual([{ kind: 'inset', start: '2024-10-21', end: '2024-10-21', description: 'Training day' }]);
    expect(res.body.terms.find((t: { name: string }) => t.name === 'Autumn 1 2024').schoolDays).toBe(39);
    // Opened on the same day, with a review 20 school days on (over half term).
    expect(await reviewDue('s1', 'A331400112901')).toBe('2024-11-19');
    expect(await reviewDue('s3', 'C331400112903')).toBe('2024-11-18');
    const audit = await world.db.store.listAudit({ limit: 5, offset: 0 });
    expect(audit.entries.find((e) => e.action === 'school.calendar.add')).toMatchObject({ actor: 'u-champion', schoolId: 's1', detail: { kind: 'inset', start: '2024-10-21' } });
  });

  it('when an INSET day is outside term time, entered twice, or not a date, then it is refused with what is wrong and nothing changes', async () => {
    const outside = await post('champion', '/api/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-29' });
    expect(outside.status).toBe(422);
    expect(outside.body.error.message).toContain('INSET day on Tuesday 29 October 2024 is not in term time');
    expect(outside.body.error.message).toContain("between 'Autumn 1 2024', ending Friday 25 October 2024, and 'Autumn 2 2024', starting Monday 4 November 2024");
    expect((await post('champion', '/api/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-21' })).status).toBe(422);
    const bad = await post('champion', '/api/schools/s1/calendar/entries', { kind: 'inset', start: '21/10/2024' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems).toContainEqual({ in: 'body', field: 'start', message: 'expected a date as YYYY-MM-DD' });
    const backwards = await post('champion', '/api/schools/s1/calendar/entries', { kind: 'closure', start: '2024-11-08', end: '2024-11-07' });
    expect(backwards.status).toBe(400);
    expect((await world.db.store.getSchoolCalendar('s1')).revision).toBe(1);
  });

  it('when the INSET day is removed, then the school’s deadlines are its LA’s again', async () => {
    const res = await post('admin', '/api/schools/s1/calendar/entries/remove', { kind: 'inset', start: '2024-10-21', end: '2024-10-21' });
    expect(res.status).toBe(200);
    expect(res.body.entries).toEqual([]);
    await world.db.store.upsertPupils('s1', [pupil('A331400112902')]);
    expect(await reviewDue('s1', 'A331400112902')).toBe('2024-11-18');
    expect((await post('admin', '/api/schools/s1/calendar/entries/remove', { kind: 'inset', start: '2024-10-21', end: '2024-10-21' })).status).toBe(404);
  });

  it('when a CSV is imported, then the preview says what would change and saves nothing; saved with its revision it applies; a stale revision is 409', async () => {
    const content = 'date,end_date,kind,description\n2024-11-04,,inset,Training day\n01/11/2024,,inset,Half term INSET\n2025-05-08,,closure,Polling day\n';
    const preview = await post('champion', '/api/schools/s1/calendar/import', { content, fileName: 'inset.csv' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ format: 'csv', saved: false, revision: 2, removed: [], problems: [] });
    expect(preview.body.added).toEqual([
      { kind: 'inset', start: '2024-11-04', end: '2024-11-04', description: 'Training day' },
      { kind: 'closure', start: '2025-05-08', end: '2025-05-08', description: 'Polling day' },
    ]);
    expect(preview.body.notes).toEqual([{ where: 'line 3', message: expect.stringContaining('outside term time') }]);
    expect((await world.db.store.getSchoolCalendar('s1')).revision).toBe(2);
    const saved = await post('champion', '/api/schools/s1/calendar/import', { content, fileName: 'inset.csv', save: true, revision: 2 });
    expect(saved.body).toMatchObject({ saved: true, revision: 3 });
    expect((await world.db.store.getSchoolCalendar('s1')).entries).toHaveLength(2);
    expect((await post('champion', '/api/schools/s1/calendar/import', { content, fileName: 'inset.csv', save: true, revision: 2 })).status).toBe(409);
  });

  it('when a school’s LA has no term dates here, then it cannot be evaluated until it enters its own terms, and an INSET day needs a term around it', async () => {
    const view = await get('admin', 's4');
    expect(view.body).toMatchObject({ localAuthorityCalendar: null, terms: [] });
    expect(view.body.problems[0].message).toContain('there are no term dates');
    await expect(evaluateSchool({ ...world.deps }, 's4', '2025-09-10')).rejects.toThrow('Rutland Academy has no term dates');
    const early = await post('admin', '/api/schools/s4/calendar/entries', { kind: 'inset', start: '2025-09-01' });
    expect(early.status).toBe(422);
    expect(early.body.error.message).toContain('there are no term dates');
    const ics = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Rutland//Term dates//EN',
      'BEGIN:VEVENT', 'UID:1', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250901', 'DTEND;VALUE=DATE:20251220', 'SUMMARY:Autumn term 2025', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:2', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20251027', 'DTEND;VALUE=DATE:20251101', 'SUMMARY:Half term', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:3', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20250901', 'SUMMARY:INSET day', 'END:VEVENT',
      'BEGIN:VEVENT', 'UID:4', 'DTSTAMP:20250101T000000Z', 'DTSTART;VALUE=DATE:20251222', 'DTEND;VALUE=DATE:20260105', 'SUMMARY:Christmas holidays', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const preview = await post('admin', '/api/schools/s4/calendar/import', { content: ics, fileName: 'rutland.ics' });
    expect(preview.status).toBe(200);
    expect(preview.body.added).toEqual([
      { kind: 'term', start: '2025-09-01', end: '2025-12-19', description: 'Autumn term 2025' },
      { kind: 'inset', start: '2025-09-01', end: '2025-09-01', description: 'INSET day' },
      { kind: 'holiday', start: '2025-10-27', end: '2025-10-31', description: 'Half term' },
    ]);
    expect(preview.body.notes).toEqual([{ where: "event 'Christmas holidays' on Monday 22 December 2025", message: expect.stringContaining('outside term time') }]);
    expect((await post('admin', '/api/schools/s4/calendar/import', { content: ics, save: true, revision: 0 })).body).toMatchObject({ saved: true, revision: 1 });
    const after = await get('admin', 's4');
    expect(after.body.terms).toEqual([{ name: 'Autumn term 2025', start: '2025-09-01', end: '2025-12-19', source: 'school', schoolDays: 74 }]);
  });

  it('when a calendar file is hostile (not a calendar, binary, too large, thousands of events), then it is a 4xx that says so and nothing is saved', async () => {
    const before = await world.db.store.getSchoolCalendar('s4');
    const send = (content: string, fileName = 'x.ics') => post('admin', '/api/schools/s4/calendar/import', { content, fileName });
    const notIcs = await send('hello');
    expect(notIcs.status).toBe(422);
    expect(notIcs.body.error.message).toContain('should start with BEGIN:VCALENDAR');
    const broken = await send('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2025\r\nSUMMARY:INSET day\r\nEND:VEVENT\r\nEND:VCALENDAR');
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ added: [], notes: [{ where: "event 'INSET day'", message: 'has a date the service cannot read: skipped' }] });
    expect((await send('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nno colon here\r\nEND:VCALENDAR')).status).toBe(422);
    const nul = await send('BEGIN:VCALENDAR\u0000');
    expect(nul.status).toBe(400);
    expect(nul.body.error.details.problems).toEqual([{ in: 'body', field: 'content', message: 'must not contain a NUL character' }]);
    expect((await send('x'.repeat(600 * 1024))).status).toBe(400);
    const event = (i: number) => `BEGIN:VEVENT\r\nUID:${i}\r\nDTSTART;VALUE=DATE:20250901\r\nSUMMARY:Party\r\nEND:VEVENT`;
    const many = await send(`BEGIN:VCALENDAR\r\n${Array.from({ length: 2500 }, (_, i) => event(i)).join('\r\n')}\r\nEND:VCALENDAR`);
    expect(many.status).toBe(422);
    expect(many.body.error.message).toContain('2500 events');
    const badCsv = await send('date,end_date,kind,description\nsoon,,inset,x\n2025-09-02,,party,y\n', 'x.csv');
    expect(badCsv.status).toBe(422);
    expect(badCsv.body.error.details.problems).toEqual([
      { field: 'line 2, date', message: "'soon' is not a date (write 2025-09-01 or 01/09/2025)" },
      { field: 'line 3, kind', message: "'party' is not one of: term, inset, closure, holiday, bank-holiday" },
    ]);
    expect((await send('when,what\n2025-09-01,x\n', 'x.csv')).body.error.message).toContain('The first line must name the columns date,end_date,kind,description');
    expect(await world.db.store.getSchoolCalendar('s4')).toEqual(before);
  });
});

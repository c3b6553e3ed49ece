// The school calendar page: read by the school's staff, changed by its champion, a file imported only after its preview.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';

const ICS = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Coventry//Term dates//EN',
  'BEGIN:VEVENT', 'UID:a', 'DTSTAMP:20240101T000000Z', 'DTSTART;VALUE=DATE:20241104', 'SUMMARY:INSET day', 'END:VEVENT',
  'BEGIN:VEVENT', 'UID:b', 'DTSTAMP:20240101T000000Z', 'DTSTART;VALUE=DATE:20241028', 'DTEND;VALUE=DATE:20241102', 'SUMMARY:Half term', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

describe('the school calendar page', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const page = async (user: UserKey, path = '/schools/s1/calendar') => request(world.app).get(path).set('Cookie', (await world.login(user)).cookie);
  const form = async (user: UserKey, path: string, fields: Record<string, string>, csrf = true) => {
    const agent = await world.login(user);
    return request(world.app).post(path).set('Cookie', agent.cookie).type('form').send({ ...fields, ...(csrf ? { _csrf: agent.csrf } : {}) });
  };
  const upload = async (user: UserKey, path: string, file: { name: string; content: string | Buffer } | null, fields: Record<string, string> = {}) => {
    const agent = await world.login(user);
    let req = request(world.app).post(path).set('Cookie', agent.cookie).field('_csrf', agent.csrf);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return file ? req.attach('file', Buffer.from(file.content), file.name) : req.field('nothing', '');
  };

  it('when the pastoral leader opens it, then the terms show with their school days and no form to change them', async () => {
    const res = await page('pastoral');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Term dates and closures');
    expect(res.text).toContain('School year 2024-25');
    expect(res.text).toMatch(/Autumn 1 2024<\/td><td>Monday 2 September 2024<\/td><td>Friday 25 October 2024<\/td><td>40<\/td>\s*<td>Coventry/);
    expect(res.text).not.toContain('action="/schools/s1/calendar/entries"');
    expect(res.text).toContain('The senior attendance champion or an administrator changes these dates.');
    expect((await page('otherPastoral')).status).toBe(404);
  });

  it('when the champion adds an INSET day, then it is listed and the term has a school day fewer; without the CSRF token nothing happens', async () => {
    expect((await form('champion', '/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-21', description: 'Training day' }, false)).status).toBe(403);
    const res = await form('champion', '/schools/s1/calendar/entries', { kind: 'inset', start: '2024-10-21', end: '', description: 'Training day' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/schools/s1/calendar?done=added');
    const after = await page('champion', res.headers.location);
    expect(after.text).toContain('Added to the calendar.');
    expect(after.text).toMatch(/<td>Training day<\/td><td>INSET day<\/td><td>Monday 21 October 2024<\/td>/);
    expect(after.text).toMatch(/Autumn 1 2024<\/td><td>Monday 2 September 2024<\/td><td>Friday 25 October 2024<\/td><td>39<\/td>/);
  });

  it('when the champion adds a day in the holidays, then the page says why it cannot and keeps what was typed', async () => {
    const res = await form('champion', '/schools/s1/calendar/entries', { kind: 'closure', start: '2024-10-30', description: 'Boiler repair' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Boiler repair on Wednesday 30 October 2024 is not in term time');
    expect(res.text).toContain('value="2024-10-30"');
    expect(res.text).toContain('value="Boiler repair"');
  });

  it('when the champion imports an .ics file, then the preview lists what would change and saves nothing until they save it', async () => {
    const preview = await upload('champion', '/schools/s1/calendar/import', { name: 'coventry-2024.ics', content: ICS });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('What the import would change');
    expect(preview.text).toMatch(/Added \(1\)[\s\S]*<td>INSET day<\/td><td>INSET day<\/td><td>Monday 4 November 2024<\/td>/);
    expect(preview.text).toContain("event &#39;Half term&#39; on Monday 28 October 2024: Half term (Monday 28 October 2024 to Friday 1 November 2024) is outside term time");
    expect((await world.db.store.getSchoolCalendar('s1')).entries).toHaveLength(1);
    const content = /name="content" value="([^"]*)"/.exec(preview.text)![1]!.replaceAll('&#39;', "'").replaceAll('&amp;', '&');
    const revision = /name="revision" value="(\d+)"/.exec(preview.text)![1]!;
    const saved = await upload('champion', '/schools/s1/calendar/import/save', null, { content, revision, fileName: 'coventry-2024.ics' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/schools/s1/calendar?done=imported');
    expect((await world.db.store.getSchoolCalendar('s1')).entries.map((e) => e.start)).toEqual(['2024-10-21', '2024-11-04']);
    // The same preview saved again: someone (this very save) changed the calendar since.
    const stale = await upload('champion', '/schools/s1/calendar/import/save', null, { content, revision, fileName: 'coventry-2024.ics' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Someone changed this calendar since you opened it');
  });

  it('when the file is too large, not text, missing, or sent by someone who may not change the calendar, then it is refused with a page that says so', async () => {
    const big = await upload('champion', '/schools/s1/calendar/import', { name: 'big.ics', content: `BEGIN:VCALENDAR\r\n${'X-PAD:x\r\n'.repeat(70_000)}` });
    expect(big.status).toBe(413);
    expect(big.text).toContain('larger than 512 KB');
    const binary = await upload('champion', '/schools/s1/calendar/import', { name: 'dates.csv', content: Buffer.from([0xff, 0xfe, 0x00, 0x41]) });
    expect(binary.status).toBe(422);
    expect(binary.text).toContain('not UTF-8 text');
    const none = await upload('champion', '/schools/s1/calendar/import', null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a file to import');
    expect((await upload('pastoral', '/schools/s1/calendar/import', { name: 'x.ics', content: ICS })).status).toBe(403);
    const plain = await form('champion', '/schools/s1/calendar/import', { file: 'x' });
    expect(plain.status).toBe(400);
    const agent = await world.login('champion');
    const raw = (contentType: string, body: string) => request(world.app).post('/schools/s1/calendar/import').set('Cookie', agent.cookie).set('Content-Type', contentType).send(body);
    const noBoundary = await raw('multipart/form-data', '--x\r\n');
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.text).toContain('The upload could not be read');
    const cut = await raw('multipart/form-data; boundary=xyz', `--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrf}\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.ics"\r\n\r\nBEGIN:VCAL`);
    expect(cut.status).toBe(400);
    const twoFiles = await request(world.app).post('/schools/s1/calendar/import').set('Cookie', agent.cookie).field('_csrf', agent.csrf).attach('file', Buffer.from(ICS), 'a.ics').attach('other', Buffer.from(ICS), 'b.ics');
    expect(twoFiles.status).toBe(400);
    expect(twoFiles.text).toContain('Send one file at a time.');
    expect((await world.db.store.getSchoolCalendar('s1')).entries).toHaveLength(2);
  });

  it('when the champion removes the INSET day, then it is gone from the page', async () => {
    const res = await form('champion', '/schools/s1/calendar/remove', { kind: 'inset', start: '2024-10-21', end: '2024-10-21' });
    expect(res.status).toBe(303);
    const after = await page('champion', res.headers.location);
    expect(after.text).toContain('Removed from the calendar.');
    expect(after.text).not.toContain('Monday 21 October 2024');
  });
});

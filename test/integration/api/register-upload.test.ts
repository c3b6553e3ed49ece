// The register upload page: MIS exports as CSV, streamed into the same import the CLI runs, with its problem report.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorld, SCHOOLS, type UserKey, type World } from './world.ts';
import { sql } from '../../support/postgres.ts';

const UPN = SCHOOLS.s1.upn;
const NEW_UPN = 'A331400112099';
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

describe('the register upload page', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const upload = async (user: UserKey, file: { name: string; content: string | Buffer }, fields: Record<string, string>, options: { csrf?: boolean; app?: World['app'] } = {}) => {
    const agent = await world.login(user);
    let req = request(options.app ?? world.app).post('/schools/s1/register/upload').set('Cookie', agent.cookie);
    if (options.csrf !== false) req = req.field('_csrf', agent.csrf);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return req.attach('file', Buffer.from(file.content), file.name);
  };
  const marksOf = async (upn: string) => world.db.store.listMarks('s1', upn);

  it('when the champion opens the page, then it offers the upload form with its token before the file, and another school’s staff cannot see it', async () => {
    const agent = await world.login('champion');
    const res = await request(world.app).get('/schools/s1/register').set('Cookie', agent.cookie);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Load the register');
    expect(res.text.indexOf('name="_csrf"', res.text.indexOf('id="register-upload"'))).toBeLessThan(res.text.indexOf('name="file"'));
    expect(res.text).toContain('<progress id="upload-bar"');
    const other = await world.login('otherPastoral');
    expect((await request(world.app).get('/schools/s1/register').set('Cookie', other.cookie)).status).toBe(404);
    // The trust lead sees the school whole but does not load its register.
    const lead = await world.login('lead');
    expect((await request(world.app).get('/schools/s1/register').set('Cookie', lead.cookie)).status).toBe(403);
  });

  it('when a pupils file with our column names is uploaded, then the pupils are imported and the report says so', async () => {
    const res = await upload('champion', { name: 'pupils.csv', content: csv('upn,forename,surname,date_of_birth,year_group', `${NEW_UPN},Ava,Stone,2012-02-03,8`, `${UPN},Sam,Taylors1,2011-05-01,9`) }, { kind: 'pupils' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Pupils: imported');
    expect(res.text).toMatch(/Rows read 2 · new 1 · updated 1 · unchanged 0 · rejected 0/);
    expect((await world.db.store.listPupils('s1')).map((p) => p.upn).sort()).toEqual([UPN, NEW_UPN].sort());
  });

  it('when a contacts file uses SIMS-style names with a column we do not take, then it is read by the preset and imported', async () => {
    const res = await upload(
      'champion',
      { name: 'Contacts Export.CSV', content: csv('UPN,Reg Group,Contact Name,Relationship,Email,Telephone,Parental Responsibility,Lives With Pupil', `${NEW_UPN},8B,"Stone, Mia",Mother,mia@example.org,01234 567890,T,T`) },
      { kind: 'contacts', preset: 'sims' },
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('Contacts (parents and carers): imported');
    expect(res.text).toContain('read with the SIMS column names');
    expect(res.text).toContain('Columns left out (the service does not use them): “reg group”.');
    const contacts = (await world.db.store.listContacts('s1')).filter((c) => c.upn === NEW_UPN);
    expect(contacts).toEqual([expect.objectContaining({ name: 'Stone, Mia', relationship: 'mother', phone: '01234 567890', parentalResponsibility: true, livesWith: true })]);
  });

  it('when a marks file is uploaded, then the marks are imported and the school is evaluated as of today', async () => {
    const res = await upload('champion', { name: 'marks.csv', content: csv('upn,date,session,code', `${NEW_UPN},2024-10-07,AM,/`, `${NEW_UPN},2024-10-07,PM,O`) }, { kind: 'marks' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Attendance marks: imported');
    expect(res.text).toContain('Attendance looked at again');
    expect(res.text).toMatch(/\d+ pupils, \d+ measured/);
    expect((await marksOf(NEW_UPN)).map((m) => `${m.session}${m.code}`)).toEqual(['AM/', 'PMO']);
  });

  it('when a marks file has bad rows, then nothing is imported and each problem is listed with its line, column and value', async () => {
    const res = await upload(
      'champion',
      { name: 'marks.csv', content: csv('upn,date,session,code', `${NEW_UPN},2024-10-08,AM,/`, `${NEW_UPN},2024-10-08,XX,/`, `${NEW_UPN},2024-13-01,PM,@@`) },
      { kind: 'marks' },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Attendance marks: not imported');
    expect(res.text).toMatch(/<td>3<\/td><td>session<\/td><td>XX<\/td><td>session &#39;XX&#39; must be AM or PM<\/td>/);
    expect(res.text).toMatch(/<td>4<\/td><td>date<\/td><td>2024-13-01<\/td>/);
    expect(res.text).toMatch(/<td>4<\/td><td>code<\/td><td>@@<\/td>/);
    expect((await marksOf(NEW_UPN)).some((m) => m.date === '2024-10-08')).toBe(false);
  });

  it('when the columns are not recognised, then the mapping step is shown; once saved, the same file imports with it', async () => {
    const file = { name: 'attendance.csv', content: csv('Pupil Ref,Day,Half,Mark Given,Form', `${NEW_UPN},2024-10-09,AM,/,8B`, `${NEW_UPN},2024-10-09,PM,/,8B`) };
    const first = await upload('champion', file, { kind: 'marks' });
    expect(first.status).toBe(422);
    expect(first.text).toContain('Match the file’s columns');
    expect(first.text).toContain('<label for="column0">pupil ref</label>');
    expect(await marksOf(NEW_UPN)).toHaveLength(2);

    const agent = await world.login('champion');
    const form = { _csrf: agent.csrf, kind: 'marks', columns: '5', name0: 'pupil ref', name1: 'day', name2: 'half', name3: 'mark given', name4: 'form' };
    const incomplete = await request(world.app).post('/schools/s1/register/mapping').set('Cookie', agent.cookie).type('form').send({ ...form, column0: 'upn', column1: 'date', column2: 'session' });
    expect(incomplete.status).toBe(422);
    expect(incomplete.text).toContain('choose the file&#39;s column for &#39;code&#39;');
    const saved = await request(world.app).post('/schools/s1/register/mapping').set('Cookie', agent.cookie).type('form').send({ ...form, column0: 'upn', column1: 'date', column2: 'session', column3: 'code', column4: '' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/schools/s1/register?saved=marks&kind=marks');
    expect((await world.db.store.getRegisterMapping('s1', 'marks'))?.columns).toEqual([
      { from: 'pupil ref', to: 'upn' },
      { from: 'day', to: 'date' },
      { from: 'half', to: 'session' },
      { from: 'mark given', to: 'code' },
      { from: 'form', to: '' },
    ]);

    const again = await upload('champion', file, { kind: 'marks' });
    expect(again.status).toBe(200);
    expect(again.text).toContain('read with the school’s saved column mapping');
    expect((await marksOf(NEW_UPN)).filter((m) => m.date === '2024-10-09')).toHaveLength(2);
  });

  it('when the file is a spreadsheet or not named .csv, or the token is missing, then nothing is imported and the page says why', async () => {
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
    const disguised = await upload('champion', { name: 'marks.csv', content: xlsx }, { kind: 'marks' });
    expect(disguised.status).toBe(415);
    expect(disguised.text).toContain('This is a spreadsheet (an Excel .xlsx file), not a CSV file.');
    const named = await upload('champion', { name: 'marks.xlsx', content: 'upn,date,session,code\r\n' }, { kind: 'marks' });
    expect(named.status).toBe(415);
    expect(named.text).toContain('is not a CSV file');
    expect((await upload('champion', { name: 'marks.csv', content: 'upn,date,session,code\r\n' }, { kind: 'marks' }, { csrf: false })).status).toBe(403);
  });

  it('when the file is larger than the cap, then the answer is a 413 in words and no mark of it is saved', async () => {
    const { createApp } = await import('../../../src/http/app.ts');
    const small = createApp({ ...world.deps, registerFeed: { uploadMaxBytes: 2000, dropDir: null } });
    const rows = Array.from({ length: 200 }, (_, i) => `${NEW_UPN},2024-09-${String(2 + (i % 20)).padStart(2, '0')},${i % 2 ? 'PM' : 'AM'},/`);
    const res = await upload('champion', { name: 'marks.csv', content: csv('upn,date,session,code', ...rows) }, { kind: 'marks' }, { app: small });
    expect(res.status).toBe(413);
    expect(res.text).toContain('The file is larger than 2 KB');
    expect((await marksOf(NEW_UPN)).some((m) => m.date.startsWith('2024-09'))).toBe(false);
  });

  it('when the browser goes away halfway through the file, then nothing of it is imported and the service goes on answering', async () => {
    const agent = await world.login('champion');
    const server = world.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const boundary = 'cut-off';
    const rows = Array.from({ length: 2000 }, (_, i) => `${NEW_UPN},2024-06-${String(3 + (i % 20)).padStart(2, '0')},${i % 2 ? 'PM' : 'AM'},/`).join('\r\n');
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${agent.csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmarks\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="marks.csv"\r\n\r\nupn,date,session,code\r\n`;
    const req = httpRequest({ port, host: '127.0.0.1', path: '/schools/s1/register/upload', method: 'POST', headers: { Cookie: agent.cookie, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': 10_000_000 } });
    req.on('error', () => {});
    req.write(head + rows);
    await new Promise((resolve) => setTimeout(resolve, 300));
    req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => server.close(resolve));
    // The staged import was given up, not left waiting for the rest: no session of the database is still busy with it.
    const busy = async () =>
      (await sql<{ n: number }>(world.db.url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"))[0]!.n;
    for (let i = 0; i < 50 && (await busy()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await busy()).toBe(0);
    expect((await marksOf(NEW_UPN)).some((m) => m.date.startsWith('2024-06'))).toBe(false);
    expect((await request(world.app).get('/schools/s1/register').set('Cookie', agent.cookie)).status).toBe(200);
  });
});

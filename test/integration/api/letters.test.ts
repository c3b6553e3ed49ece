// A school's letters in its own voice: letterhead and signatory, its own wording of a template
// (refused before it is saved when it does not render), a PDF preview on the sample case, and
// letters sent from then on carrying them, while a letter already sent keeps what it said.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type UserKey, type World } from './world.ts';
import { startSmtp } from '../../support/smtp.ts';
import { pngOf } from '../../support/png.ts';
import { pdfImageCount, pdfText } from '../../support/pdf.ts';
import { createMailEffectHandlers, createMailer } from '../../../src/mail/index.ts';
import { testEvidenceLinks } from '../../support/evidence-links.ts';
import { templateSource } from '../../../src/letters/render.ts';
import type { OutboxEffect } from '../../../src/store/types.ts';

const LETTER = '/api/schools/s1/letters/west-coventry/letter-a';
const OWN_WORDS = 'At School One we expect every pupil to be here every day';

describe('a school’s own letters', () => {
  let world: World;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    world = await createWorld();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    await world?.close();
  });

  const post = async (user: UserKey, path: string, body: unknown) => {
    const agent = await world.login(user);
    return request(world.app).post(path).set('Cookie', agent.cookie).set('x-csrf-token', agent.csrf).send(body as object);
  };
  const get = async (user: UserKey, path: string) => request(world.app).get(path).set('Cookie', (await world.login(user)).cookie);
  const pdfOf = (res: request.Response) => new Uint8Array(res.body as Buffer);
  const binary = (req: request.Test) => req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
  const wording = (change: (model: string) => string) => change(templateSource('west-coventry/letter-a'));

  it('when the pastoral leader or another school’s staff ask, then the letters are not theirs to change', async () => {
    expect((await get('pastoral', '/api/schools/s1/letters')).status).toBe(403);
    expect((await get('otherPastoral', '/api/schools/s1/letters')).status).toBe(404);
    expect((await post('pastoral', LETTER, { source: 'x' })).status).toBe(403);
    const champion = await get('champion', '/api/schools/s1/letters');
    expect(champion.status).toBe(200);
    expect(champion.body.letters).toContainEqual(expect.objectContaining({ template: 'west-coventry/letter-a', kind: 'letter', own: false, subject: expect.stringContaining('Attendance Letter A') }));
    expect(champion.body.mergeFields).toContainEqual({ name: 'pupil.forename', example: 'Jordan' });
    expect(champion.body.mergeFields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['attendance.pct', 'record.weeks', 'letterhead.address', 'signatory']));
    expect((await get('champion', '/api/schools/s1/letters/hall-green/stage-1-letter')).status).toBe(404);
  });

  it('when a logo is not a PNG or JPEG, too large, or unreadable, or the signatory lacks a role, then it is refused and nothing is saved', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(40)]);
    const notImage = await post('champion', '/api/schools/s1/letterhead', { logo: gif.toString('base64') });
    expect(notImage.status).toBe(422);
    expect(notImage.body.error.message).toContain('must be a PNG or JPEG');
    const tooLarge = await post('champion', '/api/schools/s1/letterhead', { logo: Buffer.alloc(310 * 1024, 1).toString('base64') });
    expect(tooLarge.status).toBe(400);
    expect(JSON.stringify(tooLarge.body)).toContain('larger than 300 KB');
    // A PNG's signature and header on bytes that are not a picture: the drawing cannot read it.
    const broken = Buffer.concat([pngOf(20, 10).subarray(0, 33), Buffer.from('not the rest of a png')]);
    const unreadable = await post('champion', '/api/schools/s1/letterhead', { logo: broken.toString('base64') });
    expect(unreadable.status).toBe(422);
    expect(unreadable.body.error.message).toContain('could not be read as an image');
    const huge = Buffer.concat([pngOf(20, 10).subarray(0, 16), Buffer.from([0, 0, 0x4e, 0x20, 0, 0, 0, 10]), pngOf(20, 10).subarray(24)]);
    expect((await post('champion', '/api/schools/s1/letterhead', { logo: huge.toString('base64') })).status).toBe(422);
    const halfSignatory = await post('champion', '/api/schools/s1/letterhead', { signatoryName: 'Mrs J. Patel' });
    expect(halfSignatory.status).toBe(400);
    expect(await world.db.store.getLetterhead('s1')).toBeNull();
  });

  it('when a wording does not render, calls a function, names no merge field or is too long, then it is refused naming the line, and nothing is saved', async () => {
    const misspelt = await post('champion', LETTER, { source: wording((model) => model.replace('{{ pupil.forename }}', '{{ pupil.firstname }}')) });
    expect(misspelt.status).toBe(422);
    expect(misspelt.body.error.message).toBe("The wording cannot be used: line 6: 'pupil.firstname' is not a merge field.");
    expect(misspelt.body.error.details.line).toBe(6);
    const unclosed = await post('champion', LETTER, { source: '{% extends "layouts/letter.njk" %}\n{% block body %}\n<p>{% if pupil.forename %}Hello</p>\n{% endblock %}' });
    expect(unclosed.status).toBe(422);
    expect(unclosed.body.error.message).toBe('The wording cannot be used: line 4: unknown block tag: endblock.');
    const escape = await post('champion', LETTER, { source: '{% extends "layouts/letter.njk" %}\n{% block body %}{{ range.constructor("return process")() }}{% endblock %}' });
    expect(escape.status).toBe(422);
    expect(escape.body.error.message).toContain('line 2: calling a function is not available in a letter');
    const link = await post('champion', LETTER, { source: wording((model) => model.replace('<p>At {{ school.name }}', '<p><a href="https://example.com">Click</a> At {{ school.name }}')) });
    expect(link.status).toBe(422);
    expect(link.body.error.message).toContain('line 6: a letter cannot hold <a>');
    const long = await post('champion', LETTER, { source: `{# ${'x'.repeat(20_001)} #}` });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toContain('at most 20000 characters');
    expect(await world.db.store.listLetterOverrides('s1')).toEqual([]);
  });

  it('when the champion saves a letterhead, signatory and wording, then the preview PDF of the sample case carries them all', async () => {
    const saved = await post('champion', '/api/schools/s1/letterhead', {
      address: ['1 School Lane', 'Coventry CV1 1AA'],
      phone: '024 7600 0000',
      web: 'www.school-one.example.org',
      signatoryName: 'Mrs J. Patel',
      signatoryRole: 'Headteacher',
      logo: pngOf(240, 80).toString('base64'),
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ hasLogo: true, signatoryName: 'Mrs J. Patel' });
    const logo = await binary(request(world.app).get('/api/schools/s1/letters/logo').set('Cookie', (await world.login('champion')).cookie));
    expect(logo.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(logo.body as Buffer, pngOf(240, 80))).toBe(0);

    const draft = wording((model) => model.replace('At {{ school.name }} the target for every student is attendance of {{ school.targetPct }}% or above.', `${OWN_WORDS}.`));
    const preview = await binary(request(world.app).post(`${LETTER}/preview`).set('Cookie', (await world.login('champion')).cookie).set('x-csrf-token', (await world.login('champion')).csrf).send({ source: draft }));
    expect(preview.status).toBe(200);
    expect(preview.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdfOf(preview));
    expect(text).toContain('School One');
    expect(text).toContain('1 School Lane, Coventry CV1 1AA');
    expect(text).toContain('Telephone 024 7600 0000 · www.school-one.example.org');
    expect(text).toContain(OWN_WORDS);
    expect(text).toMatch(/Yours sincerely,\nMrs J\. Patel\nHeadteacher\nSchool One/);
    expect(await pdfImageCount(pdfOf(preview))).toBe(1);
    // A draft is only previewed: nothing saved yet.
    expect(await world.db.store.listLetterOverrides('s1')).toEqual([]);

    expect((await post('champion', LETTER, { source: draft })).status).toBe(200);
    const read = await get('champion', LETTER);
    expect(read.body).toMatchObject({ own: true, source: draft, modelSource: templateSource('west-coventry/letter-a') });
  });

  it('when a letter was sent before the wording changed, then it keeps what it said, and the next one uses the school’s wording and letterhead', async () => {
    // Back to the model letter and no letterhead, then the case's opening letter goes.
    expect((await post('champion', `${LETTER}/reset`, {})).body).toEqual({ removed: true, template: 'west-coventry/letter-a' });
    expect((await post('champion', '/api/schools/s1/letterhead', { logo: null })).status).toBe(200);
    const logger = world.deps.logger;
    const mailer = createMailer({ SMTP_URL: smtp.url, SMTP_REQUIRE_TLS: false, DATA_DIR: '/tmp' });
    const handlers = createMailEffectHandlers({ store: world.db.store, clock: world.clock, logger, mailer, evidenceLinks: testEvidenceLinks() });
    const caseId = world.caseIds.s1;
    const effect = (id: string): OutboxEffect => ({
      id, caseId, kind: 'sendLetter', payload: { caseId, template: 'west-coventry/letter-a', to: 'parents' },
      status: 'running', attempts: 1, nextAttemptAt: world.clock.now(), lastError: null, createdAt: world.clock.now(), completedAt: null, approval: null,
    });
    await handlers.sendLetter(effect(`${caseId}:first`));
    const [first] = (await world.db.store.listMessages({ caseId })).filter((m) => m.template === 'west-coventry/letter-a');
    expect(first?.status).toBe('sent');
    const firstPdf = Buffer.from(first!.pdf!);
    // The model letter names the school it is sent for (School One), and its own target.
    expect(await pdfText(firstPdf)).toContain('At School One the target for every student is attendance of 95% or above');

    const draft = wording((model) => model.replace('At {{ school.name }} the target for every student is attendance of {{ school.targetPct }}% or above.', `${OWN_WORDS}.`));
    expect((await post('champion', LETTER, { source: draft })).status).toBe(200);
    expect((await post('champion', '/api/schools/s1/letterhead', { address: ['1 School Lane'], logo: pngOf(60, 20).toString('base64') })).status).toBe(200);
    const again = effect(`${caseId}:again`);
    await handlers.sendLetter(again);
    const messages = (await world.db.store.listMessages({ caseId })).filter((m) => m.template === 'west-coventry/letter-a');
    const second = messages.find((m) => m.effectId === again.id)!;
    const secondText = await pdfText(second.pdf!);
    expect(secondText).toContain(OWN_WORDS);
    expect(secondText).toContain('1 School Lane');
    expect(await pdfImageCount(second.pdf!)).toBe(1);
    const mail = smtp.received.at(-1)!.mail;
    expect(mail.text).toContain(OWN_WORDS);
    expect(mail.text).not.toContain('base64');
    // The first letter's stored PDF is the one that went, byte for byte.
    const stored = messages.find((m) => m.id === first!.id)!;
    expect(Buffer.compare(Buffer.from(stored.pdf!), firstPdf)).toBe(0);
    expect(await pdfImageCount(stored.pdf!)).toBe(0);
  });
});

describe('the letters page', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterAll(async () => world?.close());

  const page = async (user: UserKey, path: string) => request(world.app).get(path).set('Cookie', (await world.login(user)).cookie);
  const upload = async (path: string, fields: Record<string, string>, file?: { name: string; bytes: Buffer }) => {
    const agent = await world.login('champion');
    let req = request(world.app).post(path).set('Cookie', agent.cookie).field('_csrf', agent.csrf);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return file ? req.attach('logo', file.bytes, file.name) : req;
  };

  it('when the champion uploads a logo too large or not an image, then the page says so (keeping what was typed when the file was read); a good one is saved', async () => {
    const big = await upload('/schools/s1/letterhead', { address: '1 School Lane\nCoventry', phone: '024 7600 0000' }, { name: 'logo.png', bytes: Buffer.alloc(301 * 1024, 7) });
    expect(big.status).toBe(413);
    expect(big.text).toContain('The logo is larger than 300 KB');
    const text = await upload('/schools/s1/letterhead', { phone: '024 7600 0000' }, { name: 'logo.png', bytes: Buffer.from('just some words') });
    expect(text.status).toBe(422);
    expect(text.text).toContain('The logo must be a PNG or JPEG image');
    expect(text.text).toContain('value="024 7600 0000"');
    expect(await world.db.store.getLetterhead('s1')).toBeNull();
    const good = await upload('/schools/s1/letterhead', { address: '1 School Lane\n\nCoventry', phone: '024 7600 0000', signatoryName: 'Mrs J. Patel', signatoryRole: 'Headteacher' }, { name: 'logo.png', bytes: pngOf(100, 40) });
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/schools/s1/letters?done=letterhead');
    expect(await world.db.store.getLetterhead('s1')).toMatchObject({ address: ['1 School Lane', 'Coventry'], signatoryName: 'Mrs J. Patel', logo: { contentType: 'image/png' } });
    const after = await page('champion', '/schools/s1/letters?done=letterhead');
    expect(after.text).toContain('The letterhead is saved');
    expect(after.text).toContain('src="/api/schools/s1/letters/logo"');
    expect((await page('pastoral', '/schools/s1/letters')).status).toBe(403);
  });

  it('when the champion saves a wording that does not render, then the editor shows the line and keeps the typing', async () => {
    const editor = await page('champion', '/schools/s1/letters/west-coventry/letter-a');
    expect(editor.status).toBe(200);
    expect(editor.text).toContain('<code>pupil.forename</code>');
    expect(editor.headers['content-security-policy']).toContain("frame-src 'self' blob:");
    const agent = await world.login('champion');
    const bad = await request(world.app).post('/schools/s1/letters/west-coventry/letter-a').set('Cookie', agent.cookie).type('form').send({ _csrf: agent.csrf, source: '{% extends "layouts/letter.njk" %}\n{% block body %}<p>{{ pupil.nickname }}</p>{% endblock %}' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('line 2: &#39;pupil.nickname&#39; is not a merge field');
    expect(bad.text).toContain('{{ pupil.nickname }}');
    const good = await request(world.app).post('/schools/s1/letters/west-coventry/letter-a').set('Cookie', agent.cookie).type('form').send({ _csrf: agent.csrf, source: '{% extends "layouts/letter.njk" %}\n{% block subject %}Attendance: {{ pupil.fullName }}{% endblock %}\n{% block body %}<p>Hello {{ pupil.forename }}</p>{% endblock %}' });
    expect(good.status).toBe(303);
    expect((await page('champion', '/schools/s1/letters')).text).toMatch(/Attendance: Jordan O&#39;Neill<\/td>[\s\S]*?Your wording/);
  });
});

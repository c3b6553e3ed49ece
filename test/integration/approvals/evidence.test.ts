import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorld, SCHOOLS, type UserKey, type World } from '../api/world.ts';
import { importRegister } from '../../support/register.ts';
import { pdfPages, pdfText } from '../../support/pdf.ts';
import { readZip } from '../../support/zip.ts';
import { considered, evidence } from '../../unit/machines/support.ts';
import { createCaseService } from '../../../src/cases/case-service.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { createLogger } from '../../../src/logger.ts';

const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('the penalty-notice request evidence pack and its signed link', () => {
  let world: World;
  let dir: string;
  const caseId = () => world.caseIds.s1;
  const as = async (user: UserKey) => {
    const agent = await world.login(user);
    return {
      get: (path: string) => request(world.app).get(path).set('Cookie', agent.cookie).buffer(true).parse(binary),
      post: (path: string, body: object) => request(world.app).post(path).set('Cookie', agent.cookie).set('X-CSRF-Token', agent.csrf).send(body),
    };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evidence-'));
    world = await createWorld();
    const { store } = world.db;
    const calendar = calendarFor(getWorkflow(SCHOOLS.s1.workflowId), SCHOOLS.s1.localAuthority);
    const absent = Object.fromEntries(['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-07', '2024-10-08'].flatMap((d) => [[`${d} AM`, 'O'], [`${d} PM`, 'G']]));
    await importRegister(store, 's1', SCHOOLS.s1.upn, calendar, '2024-09-03', '2024-11-22', { ...absent, '2024-11-21 AM': 'U' });
    const cases = createCaseService({ store, clock: world.clock, logger: createLogger('silent') });
    await cases.send(caseId(), { type: 'THRESHOLD_MET', at: '2024-10-14', evidence: evidence(86) }, { actor: 'system:evaluator' });
    await cases.send(caseId(), considered('2024-10-15', 'noticeToImprove'), { actor: 'u-champion' });
    await cases.send(caseId(), { type: 'NTI_ISSUED', at: '2024-10-16' }, { actor: 'u-champion' });
    // The pack is made after the improvement period, with its register.
    world.clock.set(new Date('2024-11-25T09:00:00Z'));
  });
  afterAll(async () => world?.close());

  it('when the champion exports the pack, then one PDF holds the threshold sessions, considerations, the NTI period and every session with its code', async () => {
    const res = await (await as('champion')).get(`/api/cases/${caseId()}/evidence-pack.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await writeFile(join(dir, 'pack.pdf'), pdf);
    const text = await pdfText(pdf);
    expect(text).toContain('10 sessions of unauthorised absence');
    expect(text).toMatch(/Tuesday\s1\sOctober\s2024\s+AM\s+O/);
    expect(text).toContain('the decision: Notice to Improve');
    expect(text).toMatch(/Issued Wednesday 16 October 2024/);
    expect(text).toMatch(/Thursday\s21\sNovember\s2024\s+AM\s+U/);
    const pages = await pdfPages(pdf, { dpi: 60 });
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const picture of pages) expect(picture.length).toBeGreaterThan(5_000);
    const out = process.env.EVIDENCE_PNG_DIR;
    if (out) await Promise.all(pages.map((picture, i) => writeFile(join(out, `page-${i + 1}.png`), picture)));
  });

  it('when the zip is exported, then it holds the PDF and each part as its own file', async () => {
    const res = await (await as('pastoral')).get(`/api/cases/${caseId()}/evidence-pack.zip`);
    expect(res.status).toBe(200);
    const files = await readZip(res.body as Buffer);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['evidence-pack.pdf', 'attendance-certificate.csv', 'threshold-sessions.csv', 'considerations.csv', 'notice-to-improve-period.csv']));
    const threshold = files.get('threshold-sessions.csv')!.toString('utf8');
    expect(threshold.trim().split('\r\n')).toHaveLength(11);
  });

  it('when a support entry reads as a formula, then support.csv keeps it as text, not a cell a spreadsheet would run', async () => {
    const { store } = world.db;
    await store.createTask({ id: 'formula-task', caseId: caseId(), schoolId: 's1', kind: 'support', title: '=HYPERLINK("http://evil.example","x")', dueDate: '2024-11-25', createdAt: new Date('2024-11-25T09:00:00Z') });
    const files = await readZip((await (await as('pastoral')).get(`/api/cases/${caseId()}/evidence-pack.zip`)).body as Buffer);
    const support = files.get('support.csv')!.toString('utf8');
    expect(support).toContain(`'=HYPERLINK`);
    for (const text of [...files].filter(([name]) => name.endsWith('.csv')).map(([, data]) => data.toString('utf8'))) expect(text).not.toMatch(/(^|,|")=HYPERLINK/m);
  });

  it('when someone outside the school, or the trust lead, asks for the pack, then they do not get it', async () => {
    expect((await (await as('otherPastoral')).get(`/api/cases/${caseId()}/evidence-pack.pdf`)).status).toBe(404);
    expect((await (await as('lead')).get(`/api/cases/${caseId()}/evidence-pack.pdf`)).status).toBe(403);
  });

  it('when the LA follows the signed link, then it gets the PDF without signing in, and each use is audited; a forged or expired link is refused', async () => {
    const made = await (await as('champion')).post(`/api/cases/${caseId()}/evidence-links`, {});
    expect(made.status).toBe(200);
    const url = new URL(made.body.url as string);
    const path = `${url.pathname}${url.search}`;
    const got = await request(world.app).get(path).buffer(true).parse(binary);
    expect(got.status).toBe(200);
    expect((got.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    // Change the signature's first character: every bit of it counts (its last ones may be padding).
    const forged = path.replace(/sig=([^&]+)/, (_, sig: string) => `sig=${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await request(world.app).get(forged)).status).toBe(404);
    const longer = path.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 86_400_000}`);
    expect((await request(world.app).get(longer)).status).toBe(404);
    world.wall.set(new Date(world.wall.now().getTime() + 8 * 86_400_000));
    expect((await request(world.app).get(path)).status).toBe(410);
    const { entries } = await world.db.store.listAudit({ caseId: caseId() });
    expect(entries.filter((e) => e.action.startsWith('evidence.link.')).map((e) => e.action).sort()).toEqual(['evidence.link.expired', 'evidence.link.valid']);
    expect((await world.db.store.listAudit({ actor: 'link:evidence-pack' })).entries.map((e) => e.action).sort()).toEqual(['evidence.link.expired', 'evidence.link.forged', 'evidence.link.forged', 'evidence.link.valid']);
  });
});

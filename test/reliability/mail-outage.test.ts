import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openTestPostgres } from '../support/postgres.ts';
import { ManualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { createOutboxDispatcher } from '../../src/jobs/outbox-dispatcher.ts';
import { coreEffectHandlers } from '../../src/jobs/effect-handlers.ts';
import { createMailEffectHandlers, createMailer } from '../../src/mail/index.ts';
import { evidenceLinkSettings } from '../../src/evidence/signed-link.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';
import { schoolWithDueTimers, startCountingSmtp, type CountingSmtp } from './support/harness.ts';
import { reportFigures } from './support/figures.ts';

const PUPILS = 6;
const logger = createLogger(process.env.TEST_LOG ?? 'silent');

describe('the mail server down for a while, and one address refused for good', () => {
  let db: OpenedPostgres;
  let dataDir: string;
  let smtp: CountingSmtp | null = null;

  beforeAll(async () => {
    db = await openTestPostgres();
    // Six opened cases: Letter A to both parents of each, sent unasked.
    await schoolWithDueTimers(db.store, PUPILS);
    dataDir = await mkdtemp(path.join(tmpdir(), 'attendance-mail-outage-'));
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when connections are refused for three rounds, then each letter is retried with doubling backoff, arrives once the server is back, and the refused address is a task on the timeline', async () => {
    // Learn a free port, then leave nothing listening on it: connections are refused outright.
    const probe = await startCountingSmtp();
    const port = Number(new URL(probe.url).port);
    await probe.close();

    const clock = new ManualClock(new Date(Date.now() + 1000));
    const mailer = createMailer({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_REQUIRE_TLS: false, DATA_DIR: dataDir });
    const handlers = { ...coreEffectHandlers({ store: db.store, clock, logger }), ...createMailEffectHandlers({ store: db.store, clock, logger, mailer, evidenceLinks: evidenceLinkSettings({ PUBLIC_URL: 'http://127.0.0.1:3000', DATA_DIR: dataDir }) }) };
    const outbox = createOutboxDispatcher({ store: db.store, clock, logger, handlers });
    const letters = async () => (await db.store.listEffects({})).filter((e) => e.kind === 'sendLetter');

    const delays: number[] = [];
    for (let round = 1; round <= 3; round++) {
      const summary = await outbox.drain();
      expect(summary.retried, `round ${round}`).toBe(PUPILS);
      const pending = await letters();
      expect(pending.every((e) => e.status === 'pending' && e.attempts === round && /ECONNREFUSED|connect/i.test(e.lastError ?? ''))).toBe(true);
      const delay = Math.min(...pending.map((e) => e.nextAttemptAt.getTime())) - clock.now().getTime();
      delays.push(delay);
      // Nothing is due before its backoff has passed.
      expect((await outbox.drain()).claimed).toBe(0);
      clock.set(new Date(clock.now().getTime() + delay + 1));
    }
    expect(delays).toEqual([30_000, 60_000, 120_000]);

    // Back, on the same address; the father of pupil 0 has an address the server refuses for good.
    smtp = await startCountingSmtp(port, /^chris\.0@/);
    const summary = await outbox.drain();
    expect(summary).toMatchObject({ claimed: PUPILS, done: PUPILS - 1, failed: 1 });
    expect(smtp.accepted()).toBe(2 * PUPILS - 1);
    expect([...smtp.byMessageId.values()].every((n) => n === 1)).toBe(true);
    const messages = await db.store.listMessages({});
    const letterMessages = messages.filter((m) => m.kind === 'letter');
    expect(letterMessages.map((m) => m.status).sort()).toEqual([...Array(2 * PUPILS - 1).fill('sent'), 'failed'].sort());

    const failed = (await letters()).find((e) => e.status === 'failed')!;
    expect(failed.lastError).toContain('550');
    const timeline = await db.store.listTimeline(failed.caseId!);
    expect(timeline.at(-1)).toMatchObject({ type: 'effect.failed', evidence: { effectId: failed.id } });
    const tasks = await db.store.listTasks({ caseId: failed.caseId! });
    expect(tasks.find((t) => t.kind === 'effect-failed')?.title).toContain('Chris Number0');

    // Nothing more to do, and nothing sent twice on a further run.
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    expect((await outbox.drain()).claimed).toBe(0);
    expect(smtp.accepted()).toBe(2 * PUPILS - 1);
    mailer.close();
    await reportFigures('mail-outage', { letters: PUPILS, refusedRounds: 3, backoffMs: delays, delivered: smtp.accepted(), refusedForGood: 1, duplicates: 0 });
  });
});

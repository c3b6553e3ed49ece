// Shared pieces of the reliability tests: a real SMTP server that counts what it accepts, the
// service and the CLI as real child processes, and a school whose case timers are due.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/logger.ts';
import { evaluateSchool } from '../../../src/cases/evaluate-school.ts';
import { SharedClock } from '../../../src/cases/demo-clock.ts';
import { calendarFor, getWorkflow } from '../../../workflows/index.ts';
import { startOfLondonDate } from '../../../src/domain/london-time.ts';
import { importContacts, importMarks, importPupils } from '../../../src/register/import-register.ts';
import type { Store } from '../../../src/store/types.ts';
import type { ScenarioDatabase } from './scenario-database.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const logger = createLogger(process.env.TEST_LOG ?? 'silent');

export interface CountingSmtp {
  url: string;
  /** Messages accepted, per Message-ID header. */
  byMessageId: Map<string, number>;
  accepted(): number;
  /** While true, every connection is refused at the greeting (as a server that is down for maintenance). */
  refuse: { on: boolean };
  close(): Promise<void>;
}

/** A real SMTP server on loopback that counts each accepted message under its Message-ID. */
export async function startCountingSmtp(port = 0, rejectRecipients: RegExp | null = null): Promise<CountingSmtp> {
  const byMessageId = new Map<string, number>();
  const refuse = { on: false };
  let accepted = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    size: 20 * 1024 * 1024,
    onConnect(_session, callback) {
      if (refuse.on) return callback(Object.assign(new Error('service not available'), { responseCode: 421 }));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejectRecipients?.test(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 64 * 1024) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? '(none)';
        byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
        accepted += 1;
        callback();
      });
    },
  });
  // A client killed mid-conversation (the crash tests' SIGKILL) resets its socket; smtp-server
  // re-emits that on the server, and unheard it would be an uncaught exception of the test run.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${bound}`,
    byMessageId,
    accepted: () => accepted,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL: no handler runs, nothing is flushed or released. */
  kill9(): Promise<void>;
}

/** Runs the CLI (`node --import tsx src/cli/main.ts …`) as one real process, so a signal reaches it directly. */
export function spawnCli(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `serve` as a child process; resolves once it says it started. */
export async function startServe(env: Record<string, string>, timeoutMs = 60_000): Promise<Child & { url: string | null }> {
  const proc = spawnCli(['serve'], { PORT: '0', ...env });
  const started = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start in ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
    const check = () => {
      const text = proc.output();
      if (text.includes('attendance service started') && (env.ROLE === 'worker' || /open http/.test(text))) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before starting:\n${proc.output()}`));
    });
  });
  return { ...proc, url: /open (http:\/\/\S+)/.exec(started)?.[1] ?? null };
}

export const SCHOOL = { id: 'wca', workflowId: 'west-coventry', localAuthority: 'coventry' };
export const upnOf = (i: number) => `R${String(i).padStart(12, '0')}`;
const csv = (text: string) => Readable.from([Buffer.from(text)]);
/** 07:00 London on a date: the morning the review timers are due. */
export const morningOf = (date: string) => new Date(startOfLondonDate(date).getTime() + 7 * 3_600_000);

/**
 * A West Coventry school with `pupils` pupils whose attendance fell to 93% by the Monday review
 * of 14 October 2024 and further by 18 November: the evaluator opens a case for each (Letter A to
 * both parents), with a review timer due on 18 November, when each must go to Stage 1b (Letter B).
 * Everything goes through the real import and case service. The store's shared clock is then set
 * to the morning of 18 November, so a service started in demo-clock mode finds every timer due.
 */
export async function schoolWithDueTimers(store: Store, pupils: number) {
  await store.upsertTrust({ id: 'atlp', name: 'ATLP' });
  await store.upsertSchool({
    ...SCHOOL,
    trustId: 'atlp',
    name: 'West Coventry Academy',
    notifyEmails: { ewo: 'csaws@example.org', la: 'attendance@coventry.example.org', office: 'office@wca.example.org' },
  });
  const at = new Date();
  const upns = Array.from({ length: pupils }, (_, i) => upnOf(i));
  const checked = async (what: string, report: Promise<{ applied: boolean; problems: unknown[] }>) => {
    const r = await report;
    if (!r.applied) throw new Error(`${what} rejected: ${JSON.stringify(r.problems.slice(0, 3))}`);
  };
  await checked(
    'pupils',
    importPupils(store, {
      schoolId: SCHOOL.id,
      source: csv(`upn,forename,surname,date_of_birth,year_group\n${upns.map((u, i) => `${u},Pat,Number${i},2011-01-01,9`).join('\n')}\n`),
      actor: 'test',
      reason: 'fixture',
      at,
    }),
  );
  await checked(
    'contacts',
    importContacts(store, {
      schoolId: SCHOOL.id,
      source: csv(
        'upn,name,relationship,email,phone,parental_responsibility,lives_with\n' +
          upns.map((u, i) => `${u},Jo Number${i},mother,jo.${i}@example.org,,yes,yes\n${u},Chris Number${i},father,chris.${i}@example.org,,yes,no`).join('\n') +
          '\n',
      ),
      actor: 'test',
      reason: 'fixture',
      at,
    }),
  );
  const absent = new Set(['2024-10-07', '2024-10-08', '2024-11-12', '2024-11-13']);
  const days = calendarFor(getWorkflow(SCHOOL.workflowId), SCHOOL.localAuthority).schoolDays('2024-09-03', '2024-11-15');
  const rows = upns.flatMap((u) => days.flatMap((d) => [`${u},${d},AM,${absent.has(d) ? 'O' : '/'}`, `${u},${d},PM,${absent.has(d) ? 'O' : '\\'}`]));
  await checked('marks', importMarks(store, { schoolId: SCHOOL.id, source: csv(`upn,date,session,code\n${rows.join('\n')}\n`), actor: 'test', reason: 'fixture', at }));

  const clock = new ManualClock(morningOf('2024-10-14'));
  const summary = await evaluateSchool({ store, clock, logger }, SCHOOL.id, '2024-10-14');
  if (summary.opened !== pupils) throw new Error(`expected ${pupils} cases opened, got ${JSON.stringify(summary)}`);
  await new SharedClock(store).set(morningOf('2024-11-18'));
}

export interface CrashOutcome {
  cases: number;
  byState: Record<string, number>;
  badTimelines: string[];
  dueTimersLeft: number;
  casesWithoutNextReview: number;
  effects: Record<string, number>;
  messages: { total: number; sent: number; ids: Set<string> };
  letterEffects: number;
}

/** Everything the crash tests check, read through the store (the same on every database). */
export async function crashOutcome(database: ScenarioDatabase): Promise<CrashOutcome> {
  const { store, close } = await database.open();
  try {
    const { cases } = await store.listCases({ schoolIds: [SCHOOL.id], limit: 1_000_000 });
    const byState: Record<string, number> = {};
    const badTimelines: string[] = [];
    let casesWithoutNextReview = 0;
    for (const record of cases) {
      byState[record.state] = (byState[record.state] ?? 0) + 1;
      const events = (await store.listTimeline(record.id)).filter((t) => t.type === 'transition').map((t) => String((t.evidence as { event?: unknown } | null)?.event));
      if (events.join(',') !== 'OPEN,REVIEW_DUE') badTimelines.push(`${record.id}: ${events.join(',')}`);
      if (!(await store.listTimers(record.id)).some((t) => t.name === 'review')) casesWithoutNextReview += 1;
    }
    const outbox = await store.listEffects({ schoolIds: [SCHOOL.id] });
    const effects: Record<string, number> = {};
    // A cancelled effect is counted with its kind: a stage's task-making effects are cancelled when the case moves on.
    for (const effect of outbox) {
      const key = effect.status === 'cancelled' ? `cancelled:${effect.kind}` : effect.status;
      effects[key] = (effects[key] ?? 0) + 1;
    }
    const messages = (await store.listMessages({ schoolIds: [SCHOOL.id] })).filter((m) => m.recipientEmail !== null);
    return {
      cases: cases.length,
      byState,
      badTimelines,
      dueTimersLeft: (await store.listDueTimers(morningOf('2024-11-18'), 1_000_000)).length,
      casesWithoutNextReview,
      effects,
      messages: { total: messages.length, sent: messages.filter((m) => m.status === 'sent').length, ids: new Set(messages.map((m) => m.messageId)) },
      letterEffects: outbox.filter((e) => e.kind === 'sendLetter').length,
    };
  } finally {
    await close();
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

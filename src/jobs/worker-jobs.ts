import type { CaseService } from '../cases/case-service.ts';
import { evaluateSchool } from '../cases/evaluate-school.ts';
import { fireDueTimers } from '../cases/fire-timers.ts';
import { londonDate, londonTime } from '../domain/london-time.ts';
import { expireSignIns } from '../access/sign-in-expiry.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/types.ts';
import type { JobSpec } from './agenda.ts';
import type { OutboxDispatcher } from './outbox-dispatcher.ts';
import { getWorkflow } from '../../workflows/index.ts';
import { auditRecorder } from '../access/audit.ts';
import { RETENTION_KINDS, type RetentionRule } from '../retention/policy.ts';
import { runRetention } from '../retention/retention-run.ts';
import type { RetentionKind } from '../store/types.ts';

export const JOB = {
  dispatchOutbox: 'outbox.dispatch',
  fireTimers: 'timers.fire',
  expireSignIns: 'auth.expire',
  retention: 'retention.purge',
  nightlyEvaluations: 'evaluate.nightly',
} as const;

/** What the daily retention job deletes by (from the RETAIN_* settings) and where the .eml copies are. */
export interface RetentionSettings {
  rules: Record<RetentionKind, RetentionRule>;
  dataDir: string;
}

/** The worker's recurring jobs: outbox, timers, retention, and each school's nightly evaluation at its workflow's time. */
export function workerJobs(
  deps: { store: Store; cases: CaseService; dispatcher: OutboxDispatcher; clock: Clock; logger: Logger; retention?: RetentionSettings },
): JobSpec[] {
  const { logger, clock, retention } = deps;
  return [
    ...(retention
      ? [
          {
            name: JOB.retention,
            // Early morning, before the nightly evaluations and the school day; batches keep each transaction short.
            every: '30 2 * * *',
            timezone: 'Europe/London',
            // Retention runs on the wall clock, never the demo's movable one.
            run: async () => {
              const audit = auditRecorder(deps.store, () => new Date());
              for (const kind of RETENTION_KINDS) {
                const result = await runRetention({ store: deps.store, audit, dataDir: retention.dataDir }, retention.rules[kind], { now: new Date(), dryRun: false, actor: 'system:retention' });
                if (result.removed + result.emlFiles > 0) logger.info({ kind, removed: result.removed, emlFiles: result.emlFiles }, 'retention purged');
              }
            },
          },
        ]
      : []),
    {
      name: JOB.dispatchOutbox,
      // Staff actions and approvals release effects from the web process: a short sweep sends them soon.
      every: '5 seconds',
      run: async () => {
        const summary = await deps.dispatcher.drain();
        if (summary.claimed > 0) logger.info(summary, 'outbox dispatched');
      },
    },
    {
      name: JOB.fireTimers,
      every: '1 minute',
      run: async () => {
        const sweep = await fireDueTimers(deps, clock.now());
        if (sweep.fired + sweep.stale > 0) logger.info(sweep, 'case timers fired');
        // Transitions just queued effects: send them now rather than at the next sweep.
        if (sweep.fired > 0) await deps.dispatcher.drain();
      },
    },
    {
      name: JOB.expireSignIns,
      every: '10 minutes',
      // Sessions and sign-in failures run on the wall clock, never the demo's movable one.
      run: async () => {
        const expired = await expireSignIns(deps.store, new Date());
        if (expired.sessions + expired.loginFailures > 0) logger.info(expired, 'expired sessions and failed sign-ins deleted');
      },
    },
    {
      name: JOB.nightlyEvaluations,
      // The schools are read at every run, so one set up, moved to another workflow or archived
      // since this worker started is seen at once. Each school is evaluated once it is past its
      // workflow's nightly time; evaluateSchool does a date once, so later runs that day cost a read.
      every: '5 minutes',
      run: async () => {
        const now = clock.now();
        const today = londonDate(now);
        for (const school of await deps.store.listSchools()) {
          if (school.archivedAt || londonTime(now) < getWorkflow(school.workflowId).policy.evaluation.nightlyAt) continue;
          try {
            const summary = await evaluateSchool(deps, school.id, today);
            if (!summary.schoolDay || summary.alreadyEvaluated) continue;
            logger.info(summary, 'school evaluated');
            await deps.dispatcher.drain();
          } catch (error) {
            // One school's failure (a calendar it has not finished entering) must not hold the others' evenings.
            logger.error({ err: error, schoolId: school.id }, 'school evaluation failed');
          }
        }
      },
    },
  ];
}

import type pg from 'pg';
import type { School } from '../types.ts';
import type { MessageTotals } from './message-page.ts';

/**
 * How long a process reuses the schools it listed. Every request's access check lists them (whose
 * schools a trust lead or an EWO sees), and they change seldom: this process's own school writes
 * drop the list at once, another process's show within this time, as a session does (SESSION_CACHE_MS).
 */
export const SCHOOLS_CACHE_MS = 2_000;

/** What every part of the PostgreSQL store shares: the pool, the work queue's and the outbox's brief totals, and the brief list of schools. */
export abstract class PgBase {
  protected readonly queueTotals = new Map<string, { n: number; at: number }>();
  protected readonly messageTotals: MessageTotals = new Map();
  protected readonly schoolLists = new Map<string, { schools: School[]; at: number }>();
  /** School writes begun in this process: a list read while one ran is not kept. */
  protected schoolWrites = 0;

  constructor(readonly pool: pg.Pool) {}

  async ping() {
    await this.pool.query('SELECT 1');
  }

  async close() {
    // pool.end() resolves before its clients' sockets have closed; stopping an embedded server
    // in that gap makes the closing clients raise unhandled errors. Wait for each to be removed.
    const open = this.pool.totalCount;
    let removed = 0;
    const allClosed = new Promise<void>((resolve) => {
      if (open === 0) resolve();
      this.pool.on('remove', () => {
        removed += 1;
        if (removed >= open) resolve();
      });
    });
    await this.pool.end();
    await Promise.race([allClosed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  }
}

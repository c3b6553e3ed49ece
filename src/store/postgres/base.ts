import type pg from 'pg';
import type { MessageTotals } from './message-page.ts';

/** What every part of the PostgreSQL store shares: the pool, and the work queue's and the outbox's brief totals. */
export abstract class PgBase {
  protected readonly queueTotals = new Map<string, { n: number; at: number }>();
  protected readonly messageTotals: MessageTotals = new Map();

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

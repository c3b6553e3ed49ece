import type { RetentionKind } from '../types.ts';
import { PgBase } from './base.ts';
import { countExpired, erasePupil, heldMessageIdsBefore, purgeExpiredBatch } from './retention.ts';

/** Retention and erasure: what has outlived its period, removed in batches; one pupil erased. */
export abstract class PgRetention extends PgBase {
  countExpired(kind: RetentionKind, before: Date) {
    return countExpired(this.pool, kind, before);
  }

  async purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number) {
    try {
      return await purgeExpiredBatch(this.pool, kind, before, limit);
    } finally {
      // Letters (and cases, with theirs) removed: the outbox's kept totals are out of date.
      this.messageTotals.clear();
    }
  }

  erasePupil(schoolId: string, upn: string) {
    return erasePupil(this.pool, schoolId, upn);
  }

  heldMessageIdsBefore(before: Date) {
    return heldMessageIdsBefore(this.pool, before);
  }
}

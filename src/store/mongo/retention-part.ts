import type { RetentionKind } from '../types.ts';
import { MongoBase } from './base.ts';
import { countExpired, erasePupil, heldMessageIdsBefore, purgeExpiredBatch } from './retention.ts';

/** Retention and erasure: what has outlived its period, removed in batches; one pupil erased. */
export abstract class MongoRetention extends MongoBase {
  countExpired(kind: RetentionKind, before: Date) {
    return countExpired(this.models, kind, before);
  }

  purgeExpiredBatch(kind: RetentionKind, before: Date, limit: number) {
    return purgeExpiredBatch(this.models, (work) => this.transaction(work), kind, before, limit);
  }

  erasePupil(schoolId: string, upn: string) {
    return erasePupil(this.models, (work) => this.transaction(work), schoolId, upn);
  }

  heldMessageIdsBefore(before: Date) {
    return heldMessageIdsBefore(this.models, before);
  }
}

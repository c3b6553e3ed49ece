// What every part of the store contract shares: the store under test and the records it starts with.
import { randomUUID } from 'node:crypto';
import type { MarkRow, NewCase, NewTimelineEntry, Store } from '../../src/store/types.ts';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

export const at = new Date('2025-01-10T09:00:00Z');

export function entry(type: string, from: string | null, to: string | null): NewTimelineEntry {
  return { id: randomUUID(), at, actor: 'system:test', type, from, to, evidence: { rule: 'test', pct: 92.5 } };
}

export function newCase(schoolId: string, upn: string): NewCase {
  return {
    id: randomUUID(),
    schoolId,
    upn,
    workflowId: 'west-coventry',
    machineId: 'west-coventry',
    machineVersion: 1,
    state: 'stage1a',
    status: 'open',
    snapshot: { value: 'stage1a', context: { upn } },
    openedAt: at,
  };
}

export function marks(upn: string, rows: [string, 'AM' | 'PM', string][], firstLine = 2): MarkRow[] {
  return rows.map(([date, session, code], i) => ({ upn, date, session, code, line: firstLine + i }));
}

/** The store under test (set once it is open) and the trust, schools and pupils made for it. */
export interface ContractContext {
  readonly store: Store;
  trustId: string;
  schoolId: string;
  otherSchoolId: string;
}

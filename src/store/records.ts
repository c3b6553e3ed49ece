// The Store contract: what the service needs from a database, implemented once per adapter
// (src/store/postgres, src/store/mongo) and proven by one contract suite (test/contract).
// Repositories return plain objects; dates of the register are ISO strings, instants are Dates.
import type { IsoDate, Session } from '../domain/types.ts';

export interface Trust {
  id: string;
  name: string;
  /** When it was archived (no longer set up or evaluated); null while in use. Left out of an upsert, kept. */
  archivedAt?: Date | null;
}

/** The phases the DfE's Get Information about Schools uses, as schools name them. */
export const SCHOOL_PHASES = ['nursery', 'primary', 'middle', 'secondary', 'all-through', 'special', 'alternative', 'post-16'] as const;
export type SchoolPhase = (typeof SCHOOL_PHASES)[number];

export interface School {
  id: string;
  trustId: string;
  name: string;
  /** Which workflow (policy) in workflows/ governs this school's cases. */
  workflowId: string;
  localAuthority: string;
  /**
   * Where the workflow's notifications to professionals go, and the office address letters are
   * sent from. Always present when read; leaving it out of an upsert keeps what is stored.
   */
  notifyEmails?: SchoolMailboxes;
  /**
   * The DfE's unique reference number (6 digits), the LA establishment number (LA code and
   * establishment, 7 digits: DfE number "331/4001" as 3314001), and the phase; null when not given.
   * Like the mailboxes, these and `archivedAt` are always present when read and kept when left out
   * of an upsert.
   */
  urn?: string | null;
  laEstab?: string | null;
  phase?: SchoolPhase | null;
  /** When the school was archived: its cases stay on record, but it is no longer evaluated or set up. */
  archivedAt?: Date | null;
}

/** The school's addresses for the EWO, the LA attendance team, a home school and its own office. */
export type SchoolMailboxes = Partial<Record<'ewo' | 'la' | 'homeSchool' | 'office', string>>;

export interface Pupil {
  schoolId: string;
  upn: string;
  forename: string;
  surname: string;
  dateOfBirth: IsoDate;
  yearGroup: string;
  /** Flags such as ehcp, lac, cp_plan, social_worker, young_carer, fsm. */
  vulnerability: string[];
  onRoll: boolean;
}

/** A postal address as Royal Mail delivers it: the lines above the town, the post town, the postcode. */
export interface PostalAddress {
  /** One or two lines: house number or name and street, then a locality where there is one. */
  lines: string[];
  town: string;
  /** Upper case with one space before the inward code, e.g. "CV1 2AB". */
  postcode: string;
}

export interface Contact {
  schoolId: string;
  upn: string;
  name: string;
  relationship: string;
  email: string | null;
  phone: string | null;
  parentalResponsibility: boolean;
  livesWith: boolean;
  /** Where a letter by post goes; a store returns null when none is known (absent is taken as none). */
  address?: PostalAddress | null;
}

export interface MarkRow {
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
  /** Line of the source file, for error reports. */
  line: number;
}

export interface StoredMark {
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
}

export interface SchoolMarksFilter {
  from?: IsoDate;
  to?: IsoDate;
  upns?: string[];
  codes?: string[];
}

export interface MarkAmendment {
  schoolId: string;
  upn: string;
  date: IsoDate;
  session: Session;
  originalCode: string;
  newCode: string;
  reason: string;
  amendedBy: string;
  amendedAt: Date;
}

/** A staged mark the store refuses: its UPN is not on the roll, or its session is marked twice differently. */
export type StagedMarkProblem =
  | { kind: 'notOnRoll'; line: number; upn: string }
  | { kind: 'conflictingMark'; line: number; code: string; firstCode: string; firstLine: number };

export interface ImportProblem {
  line: number;
  column: string;
  value: string;
  message: string;
}

export interface MarksImportResult {
  read: number;
  inserted: number;
  amended: number;
  unchanged: number;
}

/** A marks record as the file has it, before validation. */
export interface RawMarkRecord {
  line: number;
  upn: string;
  date: string;
  session: string;
  code: string;
}

/**
 * Staging straight from a CSV file's bytes, for a store that can read CSV itself (PostgreSQL's
 * COPY): no row passes through JavaScript unless the store cannot show it is valid.
 */
export interface MarksCsvStaging {
  /** Stages CSV records (no header; fields in `columns` order; the first on line `firstLine`). */
  copy(records: AsyncIterable<Buffer>, layout: { columns: readonly string[]; firstLine: number }): Promise<void>;
  /**
   * Takes out of staging, in file order, every copied record that is not already exactly what
   * the schema makes of it, with a pupil on roll; the caller validates them and `add`s the good ones.
   */
  takeSuspects(batchSize: number): AsyncIterable<RawMarkRecord[]>;
}

/**
 * One all-or-nothing import of register marks. Rows are staged as they stream in; `problems()`
 * checks what only the whole file can show (pupils not on roll, one session marked twice with
 * different codes); `commit()` applies everything or `abort()` leaves the register untouched.
 */
export interface MarksImport {
  add(rows: MarkRow[]): Promise<void>;
  csv?: MarksCsvStaging;
  /** What the staged rows break, in line order: the register words each one for the school. */
  problems(limit: number): Promise<StagedMarkProblem[]>;
  commit(): Promise<MarksImportResult>;
  abort(): Promise<void>;
}

export type CaseStatus = 'open' | 'closed';

export interface CaseRecord {
  id: string;
  schoolId: string;
  upn: string;
  workflowId: string;
  machineId: string;
  machineVersion: number;
  /** The state value flattened to a dotted path, e.g. `stage1b` or `penaltyNotice.reducedRateWindow`. */
  state: string;
  status: CaseStatus;
  /** The persisted XState snapshot (value + context), JSON. */
  snapshot: unknown;
  /** Optimistic-concurrency version: every committed transition increments it. */
  version: number;
  openedAt: Date;
  updatedAt: Date;
}

export type NewCase = Omit<CaseRecord, 'version' | 'updatedAt'>;

export interface TimelineEntry {
  id: string;
  caseId: string;
  at: Date;
  /** Who: a user id, `system:evaluator`, `system:timer`, `system:outbox`. */
  actor: string;
  /** What: `transition`, `effect.failed`, `note`... */
  type: string;
  from: string | null;
  to: string | null;
  /** Why: the event, metrics, sessions and rule behind it. */
  evidence: unknown;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'caseId'>;

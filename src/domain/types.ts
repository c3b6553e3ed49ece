// Shared vocabulary of the pure domain. Dates are ISO calendar dates ('YYYY-MM-DD') so that
// nothing here depends on a time zone or a clock.

export type IsoDate = string;

export type Session = 'AM' | 'PM';

export type CodeCategory =
  | 'present'
  | 'approvedEducation'
  | 'authorised'
  | 'unauthorised'
  | 'notCounted';

/** One register mark: one pupil, one session. */
export interface Mark {
  upn: string;
  date: IsoDate;
  session: Session;
  code: string;
}

/** Term dates and closures of one school for the years the workflow covers. */
export interface CalendarSpec {
  /** Inclusive term ranges (half terms may be listed separately or as one range with closures). */
  terms: { name: string; start: IsoDate; end: IsoDate }[];
  /** Days inside a term the school is closed: bank holidays, INSET days, planned closures. */
  closures: { date: IsoDate; reason: string }[];
}

/** A RAG band: a pupil whose attendance % is >= minPct (and below the band above) is in it. */
export interface Band {
  name: string;
  minPct: number;
}

export interface PupilMetrics {
  asOf: IsoDate;
  from: IsoDate;
  possibleSessions: number;
  presentSessions: number;
  approvedEducationSessions: number;
  authorisedSessions: number;
  unauthorisedSessions: number;
  /** Sessions per code within the period, e.g. { '/': 120, O: 3 }. */
  sessionsByCode: Record<string, number>;
  /** (present + approved education) / possible × 100; null when there is no possible session. */
  attendancePct: number | null;
  band: string | null;
  persistentAbsence: boolean;
  severeAbsence: boolean;
  /** G, O and U sessions in the 10 school weeks ending on asOf (may span terms and years). */
  unauthorisedInRolling10Weeks: number;
  nationalThresholdMet: boolean;
  /** School days with an illness (I) mark, consecutive or not, within the period. */
  illnessDays: number;
  /** School days up to asOf on which the pupil missed both sessions, counting back without a break. */
  consecutiveDaysAbsent: number;
  lates: number;
  lateAfterRegister: number;
  /** N marks older than 5 school days as of asOf. */
  unresolvedN: number;
}

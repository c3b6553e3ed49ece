import { addDays, compareDates } from './dates.ts';
import { addMonths } from './dates.ts';
import type { IsoDate } from './types.ts';

/**
 * The national rules on penalty notices: the same in every seed (e.g. seed 000 §11 "Penalty
 * notices impact and timescales", seed 003 "Penalty Notices") because they are the 2024
 * regulations, so no workflow can override them.
 */

/** 10 sessions of unauthorised absence (G, O, U) in a rolling 10 school weeks. */
export const NATIONAL_THRESHOLD = { sessions: 10, schoolWeeks: 10 } as const;

export const REDUCED_RATE = { pounds: 80, days: 21 } as const;
export const FULL_RATE = { pounds: 160, days: 28 } as const;
/** At most this many notices to one parent for one child within PERIOD_YEARS of the first. */
export const MAX_NOTICES_IN_PERIOD = 2;
export const PERIOD_YEARS = 3;
/** Prosecution must be laid within 6 months of the offence. */
export const PROSECUTION_TIME_LIMIT_MONTHS = 6;

/** What the school must record when a pupil reaches the national threshold (seed 000 §11). */
export const CONSIDERATIONS = [
  { id: 'support', question: 'Could the school offer support or increase its support to the child and family?' },
  { id: 'penaltyNoticeBestTool', question: 'Is a penalty notice the best tool to improve attendance?' },
  { id: 'noticeToImprove', question: 'Would a Notice to Improve be appropriate?' },
  { id: 'otherLegalIntervention', question: 'Should the school use another legal intervention?' },
  {
    id: 'reasonableAdjustments',
    question: 'Has the school made all reasonable adjustments under the Equality Act 2010?',
  },
] as const;
export type ConsiderationId = (typeof CONSIDERATIONS)[number]['id'];
export type Considerations = Record<ConsiderationId, { answer: boolean; rationale: string }>;

/** A record is complete only when every question has an answer and a reason for it. */
export function considerationsComplete(considerations: Partial<Considerations> | undefined): boolean {
  return CONSIDERATIONS.every(({ id }) => {
    const entry = considerations?.[id];
    return entry !== undefined && typeof entry.answer === 'boolean' && entry.rationale.trim().length > 0;
  });
}

export interface IssuedNotice {
  parentId: string;
  issuedOn: IsoDate;
}

export type Eligibility =
  | {
      allowed: true;
      /** 1 for the first notice of a 3-year period, 2 for the second. */
      sequence: 1 | 2;
      reducedRate: { pounds: number; paidBy: IsoDate } | null;
      fullRate: { pounds: number; paidBy: IsoDate };
    }
  | { allowed: false; reason: string; periodStartedOn: IsoDate; allowedFrom: IsoDate };

/**
 * Whether `parentId` may be given a penalty notice for this child on `on`, and at what rates.
 * A period starts with a first notice and lasts 3 years; a notice issued after it ends starts
 * the next period, so it is a first notice again.
 */
export function penaltyNoticeEligibility(history: readonly IssuedNotice[], parentId: string, on: IsoDate): Eligibility {
  const issued = history
    .filter((notice) => notice.parentId === parentId && compareDates(notice.issuedOn, on) <= 0)
    .map((notice) => notice.issuedOn)
    .sort(compareDates);
  let periodStart: IsoDate | null = null;
  let inPeriod = 0;
  for (const date of issued) {
    if (periodStart === null || compareDates(date, addMonths(periodStart, PERIOD_YEARS * 12)) >= 0) {
      periodStart = date;
      inPeriod = 0;
    }
    inPeriod += 1;
  }
  const periodEnds = periodStart === null ? null : addMonths(periodStart, PERIOD_YEARS * 12);
  const current = periodEnds !== null && compareDates(on, periodEnds) < 0 ? inPeriod : 0;
  if (periodStart !== null && periodEnds !== null && current >= MAX_NOTICES_IN_PERIOD) {
    return {
      allowed: false,
      reason: `${MAX_NOTICES_IN_PERIOD} penalty notices already issued to this parent for this child since ${periodStart}: another intervention must be used`,
      periodStartedOn: periodStart,
      allowedFrom: periodEnds,
    };
  }
  const sequence = current === 0 ? 1 : 2;
  return {
    allowed: true,
    sequence,
    reducedRate: sequence === 1 ? { pounds: REDUCED_RATE.pounds, paidBy: addDays(on, REDUCED_RATE.days) } : null,
    fullRate: { pounds: FULL_RATE.pounds, paidBy: addDays(on, FULL_RATE.days) },
  };
}

/** The last day a prosecution for an offence on `offenceOn` can be laid. */
export function prosecutionDeadline(offenceOn: IsoDate): IsoDate {
  return addMonths(offenceOn, PROSECUTION_TIME_LIMIT_MONTHS);
}

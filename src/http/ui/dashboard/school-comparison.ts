// A school's attendance as the DfE publishes it, so a trust lead can set schools side by side and
// against the national figures: session-weighted rates (sessions missed over possible sessions,
// not an average of pupils' percentages), persistent and severe absence as shares of pupils, by
// half term, and split by year group, SEND, free school meals and the reasons for absence.
import { computeMetrics } from '../../../domain/metrics.ts';
import { findCode } from '../../../domain/codes.ts';
import type { IsoDate, PupilMetrics } from '../../../domain/types.ts';
import { addDays } from '../../../domain/dates.ts';
import { phaseOf } from '../../../domain/national-absence.ts';
import type { SchoolContext } from '../../../register/school-metrics.ts';
import type { Pupil, Store } from '../../../store/types.ts';

export interface Rates {
  pupils: number;
  attendancePct: number | null;
  unauthorisedPct: number | null;
  persistentPct: number | null;
  severePct: number | null;
}

interface Tally {
  pupils: number;
  possible: number;
  attended: number;
  unauthorised: number;
  persistent: number;
  severe: number;
}

const emptyTally = (): Tally => ({ pupils: 0, possible: 0, attended: 0, unauthorised: 0, persistent: 0, severe: 0 });

function add(tally: Tally, metrics: PupilMetrics): void {
  if (metrics.possibleSessions === 0) return;
  tally.pupils += 1;
  tally.possible += metrics.possibleSessions;
  tally.attended += metrics.presentSessions + metrics.approvedEducationSessions;
  tally.unauthorised += metrics.unauthorisedSessions;
  if (metrics.persistentAbsence) tally.persistent += 1;
  if (metrics.severeAbsence) tally.severe += 1;
}

const share = (part: number, whole: number) => (whole ? (100 * part) / whole : null);
const rates = (tally: Tally): Rates => ({
  pupils: tally.pupils,
  attendancePct: share(tally.attended, tally.possible),
  unauthorisedPct: share(tally.unauthorised, tally.possible),
  persistentPct: share(tally.persistent, tally.pupils),
  severePct: share(tally.severe, tally.pupils),
});

const HALF_TERM_NAMES = ['Autumn 1', 'Autumn 2', 'Spring 1', 'Spring 2', 'Summer 1', 'Summer 2'];

/**
 * The year's half terms so far: runs of school days broken by a holiday of a week or more (a
 * bank holiday or an INSET day does not end one).
 */
export function halfTerms(context: SchoolContext, today: IsoDate): { name: string; from: IsoDate; to: IsoDate }[] {
  const start = context.calendar.academicYearStart(today);
  const days = context.calendar.schoolDays(start, today);
  const terms: { name: string; from: IsoDate; to: IsoDate }[] = [];
  for (const day of days) {
    const last = terms.at(-1);
    if (last && addDays(last.to, 5) > day) last.to = day;
    else terms.push({ name: HALF_TERM_NAMES[terms.length] ?? `Half term ${terms.length + 1}`, from: day, to: day });
  }
  return terms;
}

/** Which SEND group a pupil's flags put them in, as the DfE splits it. */
function sendGroup(flags: string[]): string {
  if (flags.includes('ehcp')) return 'EHC plan';
  if (flags.some((flag) => flag === 'sen_support' || flag === 'sen' || flag === 'send')) return 'SEN support';
  return 'No SEN recorded';
}

export interface SchoolComparison {
  phase: 'primary' | 'secondary' | null;
  yearToDate: Rates;
  halfTerms: ({ name: string; from: IsoDate; to: IsoDate } & Rates)[];
  byYear: ({ group: string } & Rates)[];
  bySend: ({ group: string } & Rates)[];
  byFsm: ({ group: string } & Rates)[];
  /** Absence by reason: sessions with each code as a share of possible sessions, largest first. */
  reasons: { code: string; meaning: string; sessions: number; pct: number }[];
  /** Whether the pupils file carries SEND or FSM flags at all (else those splits say nothing). */
  carries: { send: boolean; fsm: boolean };
}

/** One pass over the school's register this year: the figures for the comparison table and the splits. */
export async function compareSchool(store: Store, context: SchoolContext, today: IsoDate): Promise<SchoolComparison> {
  const from = context.calendar.academicYearStart(today);
  const terms = halfTerms(context, today);
  const pupils = new Map<string, Pupil>((await store.listPupils(context.school.id)).map((pupil) => [pupil.upn, pupil]));
  const total = emptyTally();
  const termTallies = terms.map(emptyTally);
  const groups = { year: new Map<string, Tally>(), send: new Map<string, Tally>(), fsm: new Map<string, Tally>() };
  const into = (map: Map<string, Tally>, key: string) => map.get(key) ?? map.set(key, emptyTally()).get(key)!;
  const byCode = new Map<string, number>();
  for await (const { upn, marks } of store.streamSchoolMarks(context.school.id, { from, to: today })) {
    const metrics = computeMetrics({ marks, calendar: context.calendar, asOf: today, from });
    add(total, metrics);
    const pupil = pupils.get(upn);
    const flags = pupil?.vulnerability ?? [];
    add(into(groups.year, pupil?.yearGroup ?? 'Not known'), metrics);
    add(into(groups.send, sendGroup(flags)), metrics);
    add(into(groups.fsm, flags.includes('fsm') ? 'Free school meals' : 'Not free school meals'), metrics);
    for (const [code, sessions] of Object.entries(metrics.sessionsByCode)) {
      const known = findCode(code);
      if (known && (known.category === 'authorised' || known.category === 'unauthorised')) byCode.set(known.code, (byCode.get(known.code) ?? 0) + sessions);
    }
    terms.forEach((term, index) => {
      if (term.from > today) return;
      add(termTallies[index]!, computeMetrics({ marks, calendar: context.calendar, asOf: term.to, from: term.from }));
    });
  }
  const split = (map: Map<string, Tally>) =>
    [...map].map(([group, tally]) => ({ group, ...rates(tally) })).sort((a, b) => a.group.localeCompare(b.group, 'en', { numeric: true }));
  const all = [...pupils.values()];
  return {
    phase: phaseOf(all.map((pupil) => pupil.yearGroup)),
    yearToDate: rates(total),
    halfTerms: terms.map((term, index) => ({ ...term, ...rates(termTallies[index]!) })),
    byYear: split(groups.year),
    bySend: split(groups.send),
    byFsm: split(groups.fsm),
    reasons: [...byCode]
      .map(([code, sessions]) => ({ code, meaning: findCode(code)!.meaning, sessions, pct: total.possible ? (100 * sessions) / total.possible : 0 }))
      .sort((a, b) => b.sessions - a.sessions),
    carries: { send: all.some((pupil) => sendGroup(pupil.vulnerability) !== 'No SEN recorded'), fsm: all.some((pupil) => pupil.vulnerability.includes('fsm')) },
  };
}

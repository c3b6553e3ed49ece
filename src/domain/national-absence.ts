// National absence figures the dashboard compares a trust's schools with: the DfE's published
// pupil absence statistics (school census, state-funded schools in England), by phase.
//
// THESE FIGURES MUST BE CHECKED AGAINST THE PUBLICATION before anyone relies on them, and
// replaced when a newer year is published. They were entered without network access, from the
// publication's headline text as recalled and cross-checked against quoted summaries of it. A
// figure we could not confirm is null, with a note saying so: the dashboard then shows "not
// entered" rather than a number we do not know. No figure here has more precision than the
// publication gives (one decimal place).

export type Phase = 'primary' | 'secondary' | 'special';

export interface NationalFigures {
  /** Overall absence: sessions missed as a share of possible sessions. Attendance is 100 minus it. */
  overallAbsencePct: number | null;
  authorisedAbsencePct: number | null;
  unauthorisedAbsencePct: number | null;
  /** Share of pupils missing 10% or more of their possible sessions. */
  persistentAbsencePct: number | null;
  /** Share of pupils missing 50% or more of their possible sessions. */
  severeAbsencePct: number | null;
}

export const NATIONAL_ABSENCE = {
  publication: 'Pupil absence in schools in England, academic year 2023/24',
  publisher: 'Department for Education (explore education statistics)',
  source: 'https://explore-education-statistics.service.gov.uk/find-statistics/pupil-absence-in-schools-in-england/2023-24',
  /** The academic year the figures describe, and when the publication came out (as we recall it: check). */
  period: '2023/24 academic year (full year, school census)',
  published: 'March 2025',
  checked: false as boolean,
  notes: [
    'Overall, authorised and unauthorised absence by phase are the publication’s headline figures for 2023/24 (primary 5.5%, secondary 8.9%, special 13.0% overall absence).',
    'Persistent and severe absence by phase are not entered: we could not confirm the 2023/24 figures by phase without the publication to hand. Enter them from its "Persistent absence" section.',
    'For comparison, the autumn term 2023/24 release (published May 2024) gave overall absence of 5.3% (primary) and 8.1% (secondary) for the autumn term alone; absence rises through the year, so an autumn figure for a school reads better than the full year.',
  ],
  byPhase: {
    primary: { overallAbsencePct: 5.5, authorisedAbsencePct: 3.9, unauthorisedAbsencePct: 1.6, persistentAbsencePct: null, severeAbsencePct: null },
    secondary: { overallAbsencePct: 8.9, authorisedAbsencePct: 5.4, unauthorisedAbsencePct: 3.5, persistentAbsencePct: null, severeAbsencePct: null },
    special: { overallAbsencePct: 13.0, authorisedAbsencePct: 9.7, unauthorisedAbsencePct: 3.3, persistentAbsencePct: null, severeAbsencePct: null },
  } satisfies Record<Phase, NationalFigures>,
} as const;

const PRIMARY_YEARS = new Set(['N', 'N1', 'N2', 'R', '1', '2', '3', '4', '5', '6']);

/**
 * The phase a school's national comparison is made against, from the year groups on its roll
 * (the schools record holds no phase): all primary years, or all secondary (7 and up). A mix, or
 * no pupils, has no single phase to compare with.
 */
export function phaseOf(yearGroups: Iterable<string>): Exclude<Phase, 'special'> | null {
  let primary = 0;
  let secondary = 0;
  for (const year of yearGroups) {
    const normal = year.trim().toUpperCase().replace(/^Y(EAR)?\s*/, '');
    if (PRIMARY_YEARS.has(normal)) primary += 1;
    else if (/^(7|8|9|10|11|12|13|14)$/.test(normal)) secondary += 1;
  }
  if (primary > 0 && secondary === 0) return 'primary';
  if (secondary > 0 && primary === 0) return 'secondary';
  return null;
}

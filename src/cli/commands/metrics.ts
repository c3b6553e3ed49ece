import { parseArgs } from 'node:util';
import { isIsoDate } from '../../domain/dates.ts';
import { withStore } from '../open.ts';
import { schoolContext, schoolMetrics } from '../../register/school-metrics.ts';

const usage = 'usage: attendance metrics --school <id> --as-of <YYYY-MM-DD> [--json]';

const pct = (value: number | null) => (value === null ? '   -  ' : `${value.toFixed(1).padStart(5)}%`);

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { school: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const asOf = values['as-of'];
  if (!values.school || !asOf || !isIsoDate(asOf)) {
    console.error(usage);
    return 2;
  }
  return withStore(async (store) => {
    const context = await schoolContext(store, values.school!);
    const rows = [];
    for await (const { upn, metrics: m } of schoolMetrics(store, context, asOf)) {
      rows.push({
        upn,
        possibleSessions: m.possibleSessions,
        presentSessions: m.presentSessions,
        authorisedSessions: m.authorisedSessions,
        unauthorisedSessions: m.unauthorisedSessions,
        attendancePct: m.attendancePct,
        band: m.band,
        persistentAbsence: m.persistentAbsence,
        severeAbsence: m.severeAbsence,
        unauthorisedInRolling10Weeks: m.unauthorisedInRolling10Weeks,
        nationalThresholdMet: m.nationalThresholdMet,
      });
    }
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    console.log(`${context.school.name}: attendance as of ${asOf} (academic year to date)`);
    console.log('UPN            possible present  attend%  band    PA  SA  unauth/10wk');
    for (const r of rows) {
      console.log(
        `${r.upn.padEnd(14)} ${String(r.possibleSessions).padStart(8)} ${String(r.presentSessions).padStart(7)}  ${pct(r.attendancePct)}  ${(r.band ?? '-').padEnd(6)}  ${r.persistentAbsence ? 'PA' : '  '}  ${r.severeAbsence ? 'SA' : '  '}  ${String(r.unauthorisedInRolling10Weeks).padStart(3)}${r.nationalThresholdMet ? ' threshold met' : ''}`,
      );
    }
    return 0;
  });
}

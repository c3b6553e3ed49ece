import { Readable } from 'node:stream';
import type { IsoDate } from '../domain/types.ts';
import type { Clock } from '../clock.ts';
import { importMarks } from '../register/import-register.ts';
import type { Store } from '../store/types.ts';
import { calendarForSchool } from '../calendars/school-calendars.ts';
import { DEMO_SCHOOLS } from './demo-trust.ts';
import { syntheticMarks, syntheticPupils, toCsv } from './synthetic.ts';

/** A number from a date, so each demo day's marks differ but are the same on every run. */
const daySeed = (date: IsoDate) => Number(date.replaceAll('-', '')) % 1_000_003;

/**
 * Writes each demo school's register for a day as its MIS would, so the demo's cases move on as
 * its clock does: the same synthetic pupils, with their attendance patterns, one more day.
 */
export function demoRegisterFiller(store: Store, clock: Clock) {
  return async (date: IsoDate) => {
    for (const [index, { synthetic, pupils: count, ...school }] of DEMO_SCHOOLS.entries()) {
      const stored = await store.getSchool(school.id);
      if (!stored) continue;
      const calendar = await calendarForSchool(store, stored);
      if (!calendar.isSchoolDay(date)) continue;
      const { pupils } = syntheticPupils(synthetic, count, 1000 + index);
      const rows = syntheticMarks(pupils, calendar, date, date, daySeed(date) + index);
      await importMarks(store, {
        schoolId: school.id,
        source: Readable.from([Buffer.from(toCsv(['upn', 'date', 'session', 'code'], rows))]),
        actor: 'system:demo',
        reason: 'demo register',
        // The demo's day, never the machine's: what the import leaves on a timeline is dated as the demo lives it.
        at: clock.now(),
      });
    }
  };
}

import type { SchoolCalendar } from './calendar.ts';
import { addDays, addMonths } from './dates.ts';
import type { Duration } from './policy.ts';
import type { IsoDate } from './types.ts';

/**
 * The date a duration starting on `from` ends. A school week is five school days, so a half
 * term holiday inside a "3-week review" does not eat into it.
 */
export function addDuration(
  from: IsoDate,
  duration: Duration,
  calendar: Pick<SchoolCalendar, 'addSchoolDays'> | undefined,
): IsoDate {
  const { amount, unit } = duration;
  switch (unit) {
    case 'schoolDays':
    case 'schoolWeeks':
      if (!calendar) throw new Error(`a duration in ${unit} needs the school calendar`);
      return calendar.addSchoolDays(from, unit === 'schoolDays' ? amount : amount * 5);
    case 'days':
      return addDays(from, amount);
    case 'weeks':
      return addDays(from, amount * 7);
    case 'months':
      return addMonths(from, amount);
    case 'years':
      return addMonths(from, amount * 12);
  }
}

import type { IsoDate } from './types.ts';

const TIME_ZONE = 'Europe/London';
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The school's calendar date at an instant: English schools keep London time. */
export function londonDate(instant: Date): IsoDate {
  return dateFormat.format(instant);
}

/** The time of day in London at an instant, as HH:MM (a workflow's nightly evaluation time is one). */
export function londonTime(instant: Date): string {
  return timeFormat.format(instant);
}

/** The instant a London calendar date begins (midnight, GMT or BST as the date falls). */
export function startOfLondonDate(date: IsoDate): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  // London is UTC+0 or UTC+1: if midnight UTC is already that London date, London is UTC+0.
  return londonDate(new Date(utcMidnight.getTime() - 1)) === date ? new Date(utcMidnight.getTime() - 3_600_000) : utcMidnight;
}

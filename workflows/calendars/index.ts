// Term calendars by local authority; each school's own dates are confirmed with the school.
import type { CalendarSpec } from '../../src/domain/types.ts';
import { coventry } from './coventry.ts';
import { sandwell } from './sandwell.ts';
import { westBerkshire } from './west-berkshire.ts';
import { wiltshire } from './wiltshire.ts';
import { wolverhampton } from './wolverhampton.ts';

export const CALENDARS = {
  coventry,
  'west-berkshire': westBerkshire,
  sandwell,
  wolverhampton,
  wiltshire,
} as const satisfies Record<string, CalendarSpec>;

export type CalendarId = keyof typeof CALENDARS;

export function isCalendarId(id: string): id is CalendarId {
  return Object.hasOwn(CALENDARS, id);
}

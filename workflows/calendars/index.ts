// Term calendars by local authority; each school's own dates are confirmed with the school.
import type { CalendarSpec } from '../../src/domain/types.ts';
import { localAuthorityId } from '../../src/domain/local-authority.ts';
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

/** Each calendar's local authority as people name it. */
export const CALENDAR_NAMES: Record<CalendarId, string> = {
  coventry: 'Coventry',
  'west-berkshire': 'West Berkshire',
  sandwell: 'Sandwell',
  wolverhampton: 'Wolverhampton',
  wiltshire: 'Wiltshire',
};

/**
 * The term dates held for a local authority, named by its id (`west-berkshire`) or as people
 * write it ("West Berkshire Council"); null when the service holds none for it.
 */
export function builtInCalendarId(localAuthority: string): CalendarId | null {
  const id = localAuthorityId(localAuthority);
  return isCalendarId(id) ? id : null;
}

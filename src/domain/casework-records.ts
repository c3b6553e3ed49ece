// What staff record on a case besides its workflow's events: notes as CPOMS users keep them
// (author, category, the day they are about) and the record of an attendance meeting. Plain data,
// kept on the case's timeline entry; the words here are the ones pages and the evidence pack show.
import type { IsoDate } from './types.ts';

export const NOTE_CATEGORIES = {
  phoneCall: 'Phone call',
  homeVisit: 'Home visit',
  email: 'Email',
  meeting: 'Meeting',
  safeguardingReferral: 'Safeguarding concern referred elsewhere',
  other: 'Other',
} as const;
export type NoteCategory = keyof typeof NOTE_CATEGORIES;
export const NOTE_CATEGORY_IDS = Object.keys(NOTE_CATEGORIES) as [NoteCategory, ...NoteCategory[]];

/** A note's timeline evidence; notes written before categories have only the text. */
export interface NoteEvidence {
  text: string;
  category?: NoteCategory;
  /** The day the note is about (a call, a visit); before it existed, the day it was written. */
  on?: IsoDate;
}

/** An action agreed at a meeting, for a named member of the school's staff. */
export interface MeetingAction {
  what: string;
  /** The owner's user id (a task is made for them). */
  owner: string;
  /** The owner's name when the meeting was recorded, so the record reads the same if the account goes. */
  ownerName: string;
  due: IsoDate;
}

/** The meeting as the school records it: kept on the timeline entry of MEETING_HELD or PARENT_DID_NOT_ATTEND. */
export interface MeetingRecord {
  /** The stage's meeting as the policy names it, e.g. "Informal School Attendance Meeting". */
  name: string | null;
  date: IsoDate;
  attendees: string;
  parentPresent: boolean;
  /** What was agreed: the action plan (empty when nobody for the family came). */
  agreed: string;
  actions: MeetingAction[];
  outcome: string;
}

export const noteCategoryLabel = (category: string | undefined): string =>
  category && Object.hasOwn(NOTE_CATEGORIES, category) ? NOTE_CATEGORIES[category as NoteCategory] : 'Note';

/** A meeting record as label and text pairs, in the order staff read it; dates as the caller writes them. */
export function meetingRows(meeting: MeetingRecord, day: (date: IsoDate) => string): { label: string; value: string }[] {
  return [
    ...(meeting.name ? [{ label: 'Meeting', value: meeting.name }] : []),
    { label: 'Date', value: day(meeting.date) },
    { label: 'Who attended', value: meeting.attendees },
    { label: 'Parent or carer present', value: meeting.parentPresent ? 'Yes' : 'No: recorded as not attended' },
    { label: 'What was agreed', value: meeting.agreed || 'Nothing was agreed with the family' },
    {
      label: 'Actions',
      value: meeting.actions.length ? meeting.actions.map((action) => `${action.what} – ${action.ownerName}, by ${day(action.due)}`).join('; ') : 'None',
    },
    { label: 'Outcome', value: meeting.outcome },
  ];
}

// An iCalendar (.ics) file of term dates, as local authorities publish them: all-day events for
// terms, holidays, INSET days and bank holidays, read into calendar entries by what each event is
// called. ical.js (pure JavaScript, no dependencies) does the parsing.
import ICAL from 'ical.js';
import { addDays, isIsoDate } from '../domain/dates.ts';
import { londonDate, startOfLondonDate } from '../domain/london-time.ts';
import { calendarEntrySchema, MAX_DESCRIPTION, type CalendarEntryKind } from '../domain/school-calendar.ts';
import { fileProblem, type ImportedEntry, type ImportNote, type ParsedCalendarFile } from './import-types.ts';
import { longDate } from '../domain/words.ts';

/** A term-dates calendar has tens of events a year; thousands are some other calendar. */
export const MAX_EVENTS = 2000;

type Reading = CalendarEntryKind | 'term-start' | 'term-end' | null;

const INSET = /\b(inset|training day|teacher day|staff development|professional development|non[- ]pupil|pupil[- ]free|closed to pupils)\b/i;
const BANK_HOLIDAY = /\b(bank holiday|good friday|easter monday|christmas day|boxing day|new year'?s day|may day)\b/i;
const HALF_TERM = /\bhalf[- ]?term\b/i;
const STARTS = /\b(starts?|begins?|opens?|first day|returns?|re-?opens?)\b/i;
const ENDS = /\b(ends?|closes|finish(es)?|last day|breaks? up)\b/i;
const TERM_START = /\bterm\b.*\b(starts|begins|opens)\b|\b(start|beginning|first day) of\b.*\bterm\b|\bpupils return\b|\bschool (re-?)?opens\b/i;
const TERM_END = /\bterm\b.*\b(ends|closes|finishes)\b|\b(end|last day) of\b.*\bterm\b|\bschool closes\b|\bbreaks? up\b/i;
const MARKER_WORDS = /\b(starts?|begins?|opens?|ends?|closes|finish(es)?|(first|last) day of|(start|beginning|end) of|the)\b/gi;
const CLOSURE = /\b(polling|election|snow|closure|closed)\b/i;
const HOLIDAY = /\b(holidays?|break|vacation)\b/i;
const TERM = /\bterm\b/i;

/** What an event is, read from its name, the way people name them in published term dates. */
export function readSummary(summary: string): Reading {
  if (INSET.test(summary)) return 'inset';
  if (BANK_HOLIDAY.test(summary)) return 'bank-holiday';
  if (HALF_TERM.test(summary)) return 'holiday';
  if (TERM_START.test(summary)) return 'term-start';
  if (TERM_END.test(summary)) return 'term-end';
  if (CLOSURE.test(summary)) return 'closure';
  if (HOLIDAY.test(summary)) return 'holiday';
  if (TERM.test(summary)) return 'term';
  return null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The school date an event time falls on (a UTC time as London keeps it, any other as written), and whether it is that date's midnight. */
function dateOf(time: ICAL.Time): { date: string; midnight: boolean } {
  if (time.isDate) return { date: `${time.year}-${pad(time.month)}-${pad(time.day)}`, midnight: true };
  if (time.zone?.tzid === 'UTC') {
    const instant = time.toJSDate();
    const date = londonDate(instant);
    return { date, midnight: startOfLondonDate(date).getTime() === instant.getTime() };
  }
  return { date: `${time.year}-${pad(time.month)}-${pad(time.day)}`, midnight: time.hour === 0 && time.minute === 0 && time.second === 0 };
}

/** First and last day of an event, both included (an all-day DTEND, or one at midnight, is the day after the last). */
function daysOf(event: ICAL.Event): { start: string; end: string } | null {
  const start = dateOf(event.startDate).date;
  const end = dateOf(event.endDate);
  if (!isIsoDate(start) || !isIsoDate(end.date)) return null;
  const last = end.midnight && end.date > start ? addDays(end.date, -1) : end.date;
  return { start, end: last < start ? start : last };
}

const tidy = (summary: string) => summary.replace(/\s+/g, ' ').trim().slice(0, MAX_DESCRIPTION);
/** "First day of autumn term" → "Autumn term": a term's name from the event that starts it. */
function withoutMarker(summary: string): string {
  const name = tidy(summary.replace(MARKER_WORDS, ' ').replace(/^[\s\-–:]+|[\s\-–:]+$/g, ''));
  return name ? name.charAt(0).toUpperCase() + name.slice(1) : 'Term';
}

function components(text: string): ICAL.Component[] {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (error) {
    throw fileProblem(`This is not an iCalendar file the service can read (${String((error as Error).message).slice(0, 120)}). Export the calendar as .ics, or use a CSV file.`);
  }
  // A file with several calendars parses to a list of them.
  const list = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed : [parsed];
  return list.map((jcal) => new ICAL.Component(jcal as unknown[]));
}

/** ical.js reads a property's value when it is first asked for: a malformed one throws then. */
function attempt<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** The entries an .ics file describes, with a note for each event it could not use and why. */
export function parseIcsFile(text: string): ParsedCalendarFile {
  if (!/^\s*BEGIN:VCALENDAR/i.test(text)) throw fileProblem('This is not an iCalendar file: it should start with BEGIN:VCALENDAR. Export the calendar as .ics, or use a CSV file.');
  const events = components(text).flatMap((calendar) => (calendar.name === 'vcalendar' ? calendar.getAllSubcomponents('vevent') : []));
  if (events.length > MAX_EVENTS) throw fileProblem(`The file has ${events.length} events; a calendar of term dates has far fewer (at most ${MAX_EVENTS} are read). Is this the right file?`);
  const entries: ImportedEntry[] = [];
  const notes: ImportNote[] = [];
  const starts: { date: string; summary: string; where: string }[] = [];
  const ends: { date: string; where: string }[] = [];
  for (const component of events) {
    const event = new ICAL.Event(component);
    const summary = attempt(() => tidy(String(event.summary ?? ''))) ?? '';
    if (!component.hasProperty('dtstart')) {
      notes.push({ where: `event '${summary || '(no name)'}'`, message: 'has no start date: skipped' });
      continue;
    }
    const days = attempt(() => daysOf(event));
    const recurring = attempt(() => event.isRecurring()) ?? false;
    const where = `event '${summary || '(no name)'}'${days ? ` on ${longDate(days.start)}` : ''}`;
    if (!days) {
      notes.push({ where, message: 'has a date the service cannot read: skipped' });
      continue;
    }
    if (recurring) notes.push({ where, message: 'repeats; only its first occurrence is read' });
    const reading = readSummary(summary);
    if (reading === null) {
      notes.push({ where, message: 'is not named as a term, holiday, INSET day, closure or bank holiday: skipped' });
    } else if (reading === 'term-start') {
      starts.push({ date: days.start, summary, where });
    } else if (reading === 'term-end') {
      ends.push({ date: days.end, where });
    } else if (reading === 'term' && days.start === days.end) {
      notes.push({ where, message: 'is a one-day event named like a term: skipped (a term is read from an event that spans it, or from “term starts” and “term ends” events)' });
    } else if (reading === 'holiday' && days.start === days.end && (STARTS.test(summary) || ENDS.test(summary))) {
      notes.push({ where, message: 'marks when a holiday starts or ends: skipped (holidays are read from events that span them; term dates already leave them out)' });
    } else {
      keep({ entry: { kind: reading, start: days.start, end: days.end, description: summary }, where }, entries, notes);
    }
  }
  for (const term of pairMarkers(starts, ends, notes)) keep(term, entries, notes);
  return { entries, notes };
}

/** An entry the calendar could hold (dates in range, a term no longer than a term); any other is a note saying why not. */
function keep(imported: ImportedEntry, entries: ImportedEntry[], notes: ImportNote[]): void {
  const checked = calendarEntrySchema.safeParse(imported.entry);
  if (checked.success) entries.push({ ...imported, entry: checked.data });
  else notes.push({ where: imported.where, message: `${checked.error.issues[0]!.message}: skipped` });
}

/** "Term starts" and "term ends" events as terms: each start with the first end after it, before the next start. */
function pairMarkers(starts: { date: string; summary: string; where: string }[], ends: { date: string; where: string }[], notes: ImportNote[]): ImportedEntry[] {
  const sortedStarts = [...starts].sort((a, b) => a.date.localeCompare(b.date));
  const unused = [...ends].sort((a, b) => a.date.localeCompare(b.date));
  const terms: ImportedEntry[] = [];
  sortedStarts.forEach((start, i) => {
    const next = sortedStarts[i + 1]?.date;
    const index = unused.findIndex((end) => end.date >= start.date && (next === undefined || end.date < next));
    if (index < 0) {
      notes.push({ where: start.where, message: 'starts a term but no “term ends” event follows it: skipped' });
      return;
    }
    const [end] = unused.splice(index, 1);
    terms.push({ entry: { kind: 'term', start: start.date, end: end!.date, description: withoutMarker(start.summary) }, where: `${start.where} to ${end!.where}` });
  });
  for (const end of unused) notes.push({ where: end.where, message: 'ends a term but no “term starts” event comes before it: skipped' });
  return terms;
}

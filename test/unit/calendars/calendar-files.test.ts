import { describe, it, expect } from 'vitest';
import { decodeCalendarFile, formatOf, parseCalendarFile } from '../../../src/calendars/calendar-file.ts';
import { readSummary } from '../../../src/calendars/ics-file.ts';
import { readKind } from '../../../src/calendars/csv-file.ts';
import { planImport } from '../../../src/calendars/import-plan.ts';
import { AppError } from '../../../src/errors.ts';
import { CALENDARS } from '../../../workflows/calendars/index.ts';
import type { CalendarEntry } from '../../../src/domain/school-calendar.ts';

const ics = (...events: string[][]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Test LA//EN', ...events.flatMap((lines, i) => ['BEGIN:VEVENT', `UID:${i}@test`, 'DTSTAMP:20250101T000000Z', ...lines, 'END:VEVENT']), 'END:VCALENDAR'].join('\r\n');
const allDay = (summary: string, start: string, end?: string) => [`DTSTART;VALUE=DATE:${start}`, ...(end ? [`DTEND;VALUE=DATE:${end}`] : []), `SUMMARY:${summary}`];
const refused = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { status: (error as AppError).status, message: (error as AppError).message, details: (error as AppError).details };
  }
  throw new Error('expected a refusal');
};

describe('an LA’s iCalendar file', () => {
  it('when events are named the ways LAs name them, then each is read as a term, holiday, INSET day, closure or bank holiday, or left alone', () => {
    const cases: [string, ReturnType<typeof readSummary>][] = [
      ['Autumn Term 2025', 'term'],
      ['Spring term 1', 'term'],
      ['Half Term', 'holiday'],
      ['Half-term holiday', 'holiday'],
      ['Christmas Holidays', 'holiday'],
      ['Easter break', 'holiday'],
      ['INSET Day', 'inset'],
      ['Teacher training day (school closed to pupils)', 'inset'],
      ['Bank Holiday', 'bank-holiday'],
      ['Good Friday', 'bank-holiday'],
      ['Polling day', 'closure'],
      ['Autumn term starts', 'term-start'],
      ['First day of spring term', 'term-start'],
      ['Pupils return', 'term-start'],
      ['Summer term ends', 'term-end'],
      ['School closes for Christmas', 'term-end'],
      ['Sports day', null],
    ];
    expect(cases.map(([summary]) => [summary, readSummary(summary)])).toEqual(cases);
  });

  it('when a file has all-day terms, a half term and an INSET day, then the last day is the day before DTEND and a one-day event has no DTEND', () => {
    const file = parseCalendarFile('ics', ics(allDay('Autumn term 2025', '20250903', '20251220'), allDay('Half term', '20251027', '20251101'), allDay('INSET day', '20250902')));
    expect(file.entries.map((e) => e.entry)).toEqual([
      { kind: 'term', start: '2025-09-03', end: '2025-12-19', description: 'Autumn term 2025' },
      { kind: 'holiday', start: '2025-10-27', end: '2025-10-31', description: 'Half term' },
      { kind: 'inset', start: '2025-09-02', end: '2025-09-02', description: 'INSET day' },
    ]);
    expect(file.notes).toEqual([]);
  });

  it('when a file marks terms by “starts” and “ends” events, then each start is paired with the end that follows it, and one without a partner is a note', () => {
    const file = parseCalendarFile('ics', ics(allDay('Autumn term starts', '20250903'), allDay('Autumn term ends', '20251219'), allDay('First day of spring term', '20260105'), allDay('Summer term ends', '20260722')));
    expect(file.entries.map((e) => e.entry)).toEqual([{ kind: 'term', start: '2025-09-03', end: '2025-12-19', description: 'Autumn term' }]);
    expect(file.notes.map((n) => n.message)).toEqual(['a term of 199 days is longer than any school term (at most 140): enter each term separately, with its half-term break as a holiday: skipped']);
    const alone = parseCalendarFile('ics', ics(allDay('Spring term starts', '20260105')));
    expect(alone.notes).toEqual([{ where: "event 'Spring term starts' on Monday 5 January 2026", message: 'starts a term but no “term ends” event follows it: skipped' }]);
  });

  it('when an event is timed, then its date is London’s (an Outlook export at 23:00 UTC in summer is the next day), and odd events become notes', () => {
    const file = parseCalendarFile(
      'ics',
      ics(
        ['DTSTART:20250831T230000Z', 'DTEND:20250901T230000Z', 'SUMMARY:Training day'],
        ['DTSTART;TZID=Europe/London:20260105T090000', 'DTEND;TZID=Europe/London:20260105T153000', 'SUMMARY:INSET'],
        [...allDay('Sports day', '20260610')],
        [...allDay('INSET day', '20260601'), 'RRULE:FREQ=YEARLY;COUNT=3'],
        ['SUMMARY:Bank holiday'],
        ['DTSTART;VALUE=DATE:2026', 'SUMMARY:Polling day'],
      ),
    );
    expect(file.entries.map((e) => e.entry)).toEqual([
      { kind: 'inset', start: '2025-09-01', end: '2025-09-01', description: 'Training day' },
      { kind: 'inset', start: '2026-01-05', end: '2026-01-05', description: 'INSET' },
      { kind: 'inset', start: '2026-06-01', end: '2026-06-01', description: 'INSET day' },
    ]);
    expect(file.notes.map((n) => `${n.where}: ${n.message}`)).toEqual([
      "event 'Sports day' on Wednesday 10 June 2026: is not named as a term, holiday, INSET day, closure or bank holiday: skipped",
      "event 'INSET day' on Monday 1 June 2026: repeats; only its first occurrence is read",
      "event 'Bank holiday': has no start date: skipped",
      "event 'Polling day': has a date the service cannot read: skipped",
    ]);
  });

  it('when the file is not an iCalendar file, is cut short, or holds thousands of events, then it is a 422 that says so', () => {
    expect(refused(() => parseCalendarFile('ics', 'Term dates 2025\nAutumn: 3 Sept'))).toMatchObject({ status: 422, message: expect.stringContaining('should start with BEGIN:VCALENDAR') });
    expect(refused(() => parseCalendarFile('ics', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20250101\r\n'))).toMatchObject({ status: 422, message: expect.stringContaining('component began but did not end') });
    expect(refused(() => parseCalendarFile('ics', `BEGIN:VCALENDAR\r\n${'BEGIN:X\r\n'.repeat(30_000)}END:VCALENDAR`)).status).toBe(422);
    const many = ics(...Array.from({ length: 2001 }, () => allDay('INSET day', '20250902')));
    expect(refused(() => parseCalendarFile('ics', many))).toMatchObject({ status: 422, message: expect.stringContaining('2001 events') });
  });
});

describe('a calendar CSV file', () => {
  it('when rows give ISO or UK dates, a range, a BOM and CRLF, then each is an entry, an empty end_date being the date itself', () => {
    const file = parseCalendarFile('csv', '\uFEFFdate,end_date,kind,description\r\n2025-09-01,,INSET,Training day\r\n27/10/2025,31/10/2025,half term,Half term\r\n"2025-05-08",,closure,"Polling day, hall in use"\r\n');
    expect(file.entries).toEqual([
      { entry: { kind: 'inset', start: '2025-09-01', end: '2025-09-01', description: 'Training day' }, where: 'line 2' },
      { entry: { kind: 'holiday', start: '2025-10-27', end: '2025-10-31', description: 'Half term' }, where: 'line 3' },
      { entry: { kind: 'closure', start: '2025-05-08', end: '2025-05-08', description: 'Polling day, hall in use' }, where: 'line 4' },
    ]);
  });

  it('when rows are wrong, then every problem is listed with its line and column and nothing is read', () => {
    const error = refused(() => parseCalendarFile('csv', 'date,end_date,kind,description\n2025-02-30,,inset,x\n2025-09-01,2025-08-01,inset,y\n2025-09-01,,inset\n2025-09-01,,term,z\n'));
    expect(error.status).toBe(422);
    expect((error.details as { problems: unknown[] }).problems).toEqual([
      { field: 'line 2, date', message: "'2025-02-30' is not a date (write 2025-09-01 or 01/09/2025)" },
      { field: 'line 3, end_date', message: 'ends (2025-08-01) before it starts (2025-09-01)' },
      { field: 'line 4, row', message: 'has 3 columns; expected 4 (date,end_date,kind,description); put a description with a comma in quotes' },
    ]);
    expect(['INSET', 'Bank Holiday', 'bank_holiday', 'constructor', '__proto__'].map(readKind)).toEqual(['inset', 'bank-holiday', 'bank-holiday', null, null]);
    expect(refused(() => parseCalendarFile('csv', 'date;kind\n2025-09-01;inset\n')).message).toContain('The first line must name the columns date,end_date,kind,description');
    expect(refused(() => parseCalendarFile('csv', `date,end_date,kind,description\n${'2025-09-01,,inset,x\n'.repeat(1001)}`)).message).toContain('more than 1000 rows');
    expect(refused(() => parseCalendarFile('csv', 'date,end_date,kind,description\n"2025-09-01,,inset,x\n')).message).toContain('The CSV file cannot be read');
  });

  it('when the bytes are not UTF-8 text, are empty or too many, then they are refused before being read', () => {
    expect(refused(() => decodeCalendarFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).message).toContain('not UTF-8 text');
    expect(refused(() => decodeCalendarFile(Buffer.from('date,end_date\0'))).message).toContain('binary data');
    expect(refused(() => decodeCalendarFile(Buffer.alloc(0))).message).toBe('The file is empty.');
    expect(refused(() => decodeCalendarFile(Buffer.alloc(600 * 1024, 'a'))).status).toBe(413);
    expect(decodeCalendarFile(Buffer.from('\uFEFFdate,end_date,kind,description\n'))).toBe('date,end_date,kind,description\n');
    expect([formatOf('Term Dates.ICS', ''), formatOf('inset.csv', 'BEGIN:VCALENDAR'), formatOf(null, ' BEGIN:VCALENDAR'), formatOf(null, 'date,')]).toEqual(['ics', 'csv', 'ics', 'csv']);
  });
});

describe('an import’s preview', () => {
  const term = (start: string, end: string, description: string): CalendarEntry => ({ kind: 'term', start, end, description });
  it('when the file’s terms overlap the school’s own, then they replace them; days are added where they fall in term, cut to term time, and those already held are unchanged', () => {
    const current: CalendarEntry[] = [term('2025-09-02', '2025-12-18', 'Autumn (old)'), { kind: 'inset', start: '2025-09-02', end: '2025-09-02', description: 'INSET' }];
    const plan = planImport(CALENDARS.coventry, current, {
      entries: [
        { entry: term('2025-09-03', '2025-12-19', 'Autumn term'), where: 'a' },
        { entry: { kind: 'inset', start: '2025-09-02', end: '2025-09-02', description: 'INSET' }, where: 'b' },
        { entry: { kind: 'inset', start: '2025-09-03', end: '2025-09-03', description: 'INSET day' }, where: 'c' },
        { entry: { kind: 'holiday', start: '2025-12-15', end: '2026-01-02', description: 'Christmas' }, where: 'd' },
        { entry: { kind: 'holiday', start: '2025-07-28', end: '2025-08-29', description: 'Summer' }, where: 'e' },
      ],
      notes: [],
    });
    expect(plan.removed).toEqual([term('2025-09-02', '2025-12-18', 'Autumn (old)')]);
    expect(plan.added).toEqual([
      term('2025-09-03', '2025-12-19', 'Autumn term'),
      { kind: 'inset', start: '2025-09-03', end: '2025-09-03', description: 'INSET day' },
      { kind: 'holiday', start: '2025-12-15', end: '2025-12-19', description: 'Christmas' },
    ]);
    expect(plan.unchanged).toEqual([]);
    // The INSET day of 2 September is no longer in term: the calendar the import leaves says so.
    expect(plan.problems.map((p) => p.message)).toEqual([expect.stringContaining('INSET on Tuesday 2 September 2025 is not in term time')]);
    expect(plan.notes.map((n) => `${n.where}: ${n.message}`)).toEqual([
      'b: INSET (Tuesday 2 September 2025 to Tuesday 2 September 2025) is outside term time: the school is closed then already, so it is left out',
      'd: Christmas runs outside term time: only its term days, 2025-12-15 to 2025-12-19, are taken',
      'e: Summer (Monday 28 July 2025 to Friday 29 August 2025) is outside term time: the school is closed then already, so it is left out',
    ]);
    const holidaysOnly = planImport(null, [], { entries: [{ entry: { kind: 'holiday', start: '2025-10-27', end: '2025-10-31', description: 'Half term' }, where: 'a' }], notes: [] });
    expect(holidaysOnly.notes[0]!.message).toContain('there are no term dates to place it in');
    expect(holidaysOnly.problems[0]!.message).toContain('there are no term dates');
  });
});

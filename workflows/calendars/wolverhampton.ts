// City of Wolverhampton Council's term dates as best known (the Black Country pattern); Leading Futures and each home school confirm their own dates and INSET days.
import type { CalendarSpec } from '../../src/domain/types.ts';
import { bankHolidayClosures } from './bank-holidays.ts';

// The term days are the published 195, within which the school sets its five INSET days (add them
// as closures). The summer term of 2023-24 is kept so that the rolling 10-school-week window of
// the national threshold can be measured from the first day of 2024-25.
const terms: CalendarSpec['terms'] = [
  { name: 'Summer 1 2024', start: '2024-04-08', end: '2024-05-24' },
  { name: 'Summer 2 2024', start: '2024-06-03', end: '2024-07-22' },
  { name: 'Autumn 1 2024', start: '2024-09-02', end: '2024-10-25' },
  { name: 'Autumn 2 2024', start: '2024-11-04', end: '2024-12-20' },
  { name: 'Spring 1 2025', start: '2025-01-06', end: '2025-02-14' },
  { name: 'Spring 2 2025', start: '2025-02-24', end: '2025-04-11' },
  { name: 'Summer 1 2025', start: '2025-04-28', end: '2025-05-23' },
  { name: 'Summer 2 2025', start: '2025-06-02', end: '2025-07-21' },
  { name: 'Autumn 1 2025', start: '2025-09-01', end: '2025-10-24' },
  { name: 'Autumn 2 2025', start: '2025-11-03', end: '2025-12-19' },
  { name: 'Spring 1 2026', start: '2026-01-05', end: '2026-02-13' },
  { name: 'Spring 2 2026', start: '2026-02-23', end: '2026-03-27' },
  { name: 'Summer 1 2026', start: '2026-04-13', end: '2026-05-22' },
  { name: 'Summer 2 2026', start: '2026-06-01', end: '2026-07-20' },
  { name: 'Autumn 1 2026', start: '2026-09-01', end: '2026-10-23' },
  { name: 'Autumn 2 2026', start: '2026-11-02', end: '2026-12-18' },
  { name: 'Spring 1 2027', start: '2027-01-04', end: '2027-02-12' },
  { name: 'Spring 2 2027', start: '2027-02-22', end: '2027-03-25' },
  { name: 'Summer 1 2027', start: '2027-04-12', end: '2027-05-28' },
  { name: 'Summer 2 2027', start: '2027-06-07', end: '2027-07-21' },
];

export const wolverhampton: CalendarSpec = { terms, closures: bankHolidayClosures(terms) };

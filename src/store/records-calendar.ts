// What the store keeps of a school's own calendar (src/domain/school-calendar.ts says what the entries mean).
import type { CalendarEntry } from '../domain/school-calendar.ts';

export interface StoredSchoolCalendar {
  schoolId: string;
  /** By start date; terms before the days inside them. */
  entries: CalendarEntry[];
  /** Raised by one with every save; 0 before the first. */
  revision: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

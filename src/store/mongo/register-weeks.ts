import { addDays, mondayOf } from '../../domain/dates.ts';
import { packWeek, weekCounts, type RegisterWeek } from '../../domain/register-weeks.ts';
import type { IsoDate } from '../../domain/types.ts';
import type { RegisterStore } from '../contract.ts';
import { MongoBase } from './base.ts';

/**
 * The register as packed weeks, made from the marks as they are read: MongoDB keeps no weeks of
 * its own yet (the PostgreSQL store keeps them beside the marks, migration 018).
 */
export abstract class MongoRegisterWeeks extends MongoBase {
  async *streamSchoolWeeks(schoolId: string, range: { from?: IsoDate; to?: IsoDate } = {}): AsyncGenerator<{ upn: string; weeks: RegisterWeek[] }> {
    const marks = (this as unknown as RegisterStore).streamSchoolMarks(schoolId, {
      ...(range.from ? { from: mondayOf(range.from) } : {}),
      // The last week runs to its Sunday.
      ...(range.to ? { to: addDays(mondayOf(range.to), 6) } : {}),
    });
    for await (const { upn, marks: pupilMarks } of marks) {
      const byWeek = new Map<IsoDate, typeof pupilMarks>();
      for (const mark of pupilMarks) {
        const week = mondayOf(mark.date);
        byWeek.set(week, [...(byWeek.get(week) ?? []), mark]);
      }
      yield {
        upn,
        weeks: [...byWeek].map(([week, weekMarks]) => {
          const codes = packWeek(weekMarks);
          return { week, codes, ...weekCounts(codes) };
        }),
      };
    }
  }
}


// calendarForSchool: one calendar per process, re-read when it may have changed, never on every question.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { openTestPostgres } from '../support/postgres.ts';
import type { OpenedPostgres } from '../../src/store/postgres/open.ts';
import { calendarForSchool, REVALIDATE_MS, saveSchoolCalendar } from '../../src/calendars/school-calendars.ts';
import { schoolMachineFor } from '../../src/cases/case-machines.ts';
import type { School } from '../../src/store/types.ts';

const school = (id: string): School => ({ id, trustId: 't', name: `School ${id}`, workflowId: 'west-coventry', localAuthority: 'coventry' });

describe('calendarForSchool', () => {
  let db: OpenedPostgres;
  beforeAll(async () => {
    db = await openTestPostgres();
    await db.store.upsertTrust({ id: 't', name: 'Trust' });
    for (const id of ['a', 'b', 'c']) await db.store.upsertSchool(school(id));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await db?.close();
  });

  it('when schools of one LA have no days of their own, then they share one calendar and one machine, and asking again reads nothing', async () => {
    const a = await calendarForSchool(db.store, school('a'));
    expect(await calendarForSchool(db.store, school('b'))).toBe(a);
    expect((await schoolMachineFor(db.store, school('a'))).machine).toBe((await schoolMachineFor(db.store, school('b'))).machine);
    const reads = vi.spyOn(db.store, 'getSchoolCalendar');
    for (let i = 0; i < 100; i++) await calendarForSchool(db.store, school('a'));
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
  });

  it('when the calendar is saved here, then the next question has the new one; the neighbour keeps the LA’s', async () => {
    expect((await calendarForSchool(db.store, school('a'))).isSchoolDay('2024-10-21')).toBe(true);
    await saveSchoolCalendar(db.store, school('a'), [{ kind: 'inset', start: '2024-10-21', end: '2024-10-21', description: 'Training day' }], { expectedRevision: 0, by: 'test', at: new Date() });
    expect((await calendarForSchool(db.store, school('a'))).isSchoolDay('2024-10-21')).toBe(false);
    expect((await calendarForSchool(db.store, school('b'))).isSchoolDay('2024-10-21')).toBe(true);
  });

  it('when another process saves the calendar, then this one uses it once REVALIDATE_MS has passed, not before', async () => {
    const start = performance.now();
    const clock = vi.spyOn(performance, 'now').mockReturnValue(start);
    expect((await calendarForSchool(db.store, school('c'))).isSchoolDay('2024-10-22')).toBe(true);
    // As the web process would: straight to the store, so this process's copy is not dropped.
    await db.store.saveSchoolCalendar('c', [{ kind: 'closure', start: '2024-10-22', end: '2024-10-22', description: 'Polling day' }], { expectedRevision: 0, by: 'web', at: new Date() });
    clock.mockReturnValue(start + REVALIDATE_MS - 1);
    expect((await calendarForSchool(db.store, school('c'))).isSchoolDay('2024-10-22')).toBe(true);
    clock.mockReturnValue(start + REVALIDATE_MS + 1);
    expect((await calendarForSchool(db.store, school('c'))).isSchoolDay('2024-10-22')).toBe(false);
    clock.mockRestore();
  });
});

import type { Store } from '../store/types.ts';

/**
 * The register writes this process has made, per store and school: figures worked out from a
 * school's register and kept for a moment (the dashboard's) are out of date after one. Another
 * process's writes are not seen here; what keeps such figures bounds their age instead.
 */
interface Writes {
  everySchool: number;
  bySchool: Map<string, number>;
}

// Per store, as the calendars are held: two stores in one process (tests) never share a school.
const writesByStore = new WeakMap<Store, Writes>();

function writesOf(store: Store): Writes {
  let writes = writesByStore.get(store);
  if (!writes) writesByStore.set(store, (writes = { everySchool: 0, bySchool: new Map() }));
  return writes;
}

/** After a write to a school's register or roll (null: to every school's, as retention does). */
export function registerWritten(store: Store, schoolId: string | null): void {
  const writes = writesOf(store);
  if (schoolId === null) writes.everySchool += 1;
  else writes.bySchool.set(schoolId, (writes.bySchool.get(schoolId) ?? 0) + 1);
}

/** A number that changes whenever this process writes the school's register or roll. */
export function registerWrites(store: Store, schoolId: string): string {
  const writes = writesOf(store);
  return `${writes.everySchool}/${writes.bySchool.get(schoolId) ?? 0}`;
}

import type { Access } from '../access/scope.ts';
import type { Store } from '../store/types.ts';

/** How many letters and legal steps wait for a decision the person can see: the header's count. */
export async function heldCount(store: Store, access: Access): Promise<number> {
  if (access.caseSchoolIds.length === 0) return 0;
  const held = await store.listEffects({ status: 'held', schoolIds: access.caseSchoolIds });
  // Only an EWO's view is narrower than their schools: the cases referred to them.
  return held.filter((effect) => effect.caseId && (access.referredCaseIds === null || access.referredCaseIds.has(effect.caseId))).length;
}

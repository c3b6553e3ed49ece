import { describe, it, expect, beforeAll } from 'vitest';
import type { Store } from '../../src/store/types.ts';
import { at, type ContractContext } from './support.ts';

const later = (ms: number) => new Date(at.getTime() + ms);

export function policyContract(ctx: ContractContext) {
  const { schoolId, otherSchoolId } = ctx;
  describe('school policies: draft and published versions', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });
    const document = (targetPct: number) => ({ base: 'west-coventry', overrides: { targetPct, name: 'Our policy: “96%” & more' } });

    it('when a draft is saved against the revision it was read at, then it is kept; a save against an older revision changes nothing', async () => {
      expect(await store.getPolicyDraft(schoolId)).toBeNull();
      const first = await store.savePolicyDraft(schoolId, document(96), { expectedRevision: 0, by: 'champion-1', at });
      expect(first).toEqual({ schoolId, document: document(96), revision: 1, updatedAt: at, updatedBy: 'champion-1' });
      expect(await store.savePolicyDraft(schoolId, document(97), { expectedRevision: 0, by: 'champion-2', at })).toBeNull();
      const second = await store.savePolicyDraft(schoolId, document(94), { expectedRevision: 1, by: 'champion-2', at: later(1000) });
      expect(second).toMatchObject({ revision: 2, document: document(94), updatedBy: 'champion-2' });
      expect(await store.savePolicyDraft(schoolId, document(90), { expectedRevision: 1, by: 'champion-3', at: later(2000) })).toBeNull();
      expect(await store.getPolicyDraft(schoolId)).toEqual(second);
      expect(await store.getPolicyDraft(otherSchoolId)).toBeNull();
    });

    it('when the same draft is saved twice at once, then exactly one save wins', async () => {
      const draft = (await store.getPolicyDraft(schoolId))!;
      const results = await Promise.all([91, 92].map((pct) => store.savePolicyDraft(schoolId, document(pct), { expectedRevision: draft.revision, by: 'x', at })));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('when versions are published, then they list oldest first and a version number is published once only', async () => {
      const version = (n: number, targetPct: number) => ({ schoolId, version: n, document: document(targetPct), publishedAt: later(n * 1000), publishedBy: 'champion-1', note: `v${n}` });
      expect(await store.listPolicyVersions(schoolId)).toEqual([]);
      expect(await store.publishPolicyVersion(version(3, 97))).toBe(true);
      expect(await store.publishPolicyVersion(version(2, 96))).toBe(true);
      expect(await store.publishPolicyVersion(version(2, 80))).toBe(false);
      expect(await store.listPolicyVersions(schoolId)).toEqual([version(2, 96), version(3, 97)]);
      expect(await store.listPolicyVersions(otherSchoolId)).toEqual([]);
    });

    it('when a draft or a version names a school that does not exist, then nothing is written', async () => {
      await expect(store.savePolicyDraft('no-such-school', document(96), { expectedRevision: 0, by: 'x', at })).rejects.toThrow();
      await expect(store.publishPolicyVersion({ schoolId: 'no-such-school', version: 2, document: document(96), publishedAt: at, publishedBy: 'x', note: '' })).rejects.toThrow();
    });
  });
}

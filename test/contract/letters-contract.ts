import { describe, it, expect, beforeAll } from 'vitest';
import { type Store } from '../../src/store/types.ts';
import { at, type ContractContext } from './support.ts';

// A 1×1 PNG: what the store keeps is the bytes as given, whatever they are.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

export function lettersContract(ctx: ContractContext) {
  const { schoolId, otherSchoolId } = ctx;
  describe('school letters', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store;
    });

    it('when a letterhead is saved, then it reads back whole (logo bytes included), and saving again replaces it', async () => {
      expect(await store.getLetterhead(schoolId)).toBeNull();
      const first = {
        schoolId,
        address: ['1 School Lane', 'Coventry CV1 1AA'],
        phone: '024 7600 0000',
        web: 'https://a-school.example.org',
        logo: { contentType: 'image/png' as const, bytes: PNG },
        signatoryName: 'Mrs J. Patel',
        signatoryRole: 'Headteacher',
        updatedAt: at,
        updatedBy: 'u-1',
      };
      await store.saveLetterhead(first);
      const read = await store.getLetterhead(schoolId);
      expect(read).toEqual({ ...first, logo: { contentType: 'image/png', bytes: expect.any(Buffer) } });
      expect(Buffer.compare(read!.logo!.bytes, PNG)).toBe(0);
      await store.saveLetterhead({ ...first, address: [], phone: null, web: null, logo: null, signatoryName: null, signatoryRole: null, updatedBy: 'u-2' });
      expect(await store.getLetterhead(schoolId)).toEqual({ schoolId, address: [], phone: null, web: null, logo: null, signatoryName: null, signatoryRole: null, updatedAt: at, updatedBy: 'u-2' });
      expect(await store.getLetterhead(otherSchoolId)).toBeNull();
    });

    it('when a letterhead names a school that does not exist, then it is refused', async () => {
      await expect(
        store.saveLetterhead({ schoolId: 'no-such-school', address: [], phone: null, web: null, logo: null, signatoryName: null, signatoryRole: null, updatedAt: at, updatedBy: 'u-1' }),
      ).rejects.toThrow();
    });

    it('when wordings are saved, replaced and deleted, then each school lists only its own, one per template', async () => {
      const override = (template: string, source: string, school = schoolId) => ({ schoolId: school, template, source, updatedAt: at, updatedBy: 'u-1' });
      await store.saveLetterOverride(override('west-coventry/letter-a', 'first'));
      await store.saveLetterOverride(override('west-coventry/letter-b', 'b'));
      await store.saveLetterOverride(override('west-coventry/letter-a', 'second {{ pupil.forename }}'));
      await store.saveLetterOverride(override('hall-green/stage-1-letter', 'other', otherSchoolId));
      expect(await store.listLetterOverrides(schoolId)).toEqual([override('west-coventry/letter-a', 'second {{ pupil.forename }}'), override('west-coventry/letter-b', 'b')]);
      expect(await store.deleteLetterOverride(schoolId, 'west-coventry/letter-b')).toBe(true);
      expect(await store.deleteLetterOverride(schoolId, 'west-coventry/letter-b')).toBe(false);
      expect((await store.listLetterOverrides(schoolId)).map((o) => o.template)).toEqual(['west-coventry/letter-a']);
      expect((await store.listLetterOverrides(otherSchoolId)).map((o) => o.template)).toEqual(['hall-green/stage-1-letter']);
      await expect(store.saveLetterOverride(override('west-coventry/letter-a', 'x', 'no-such-school'))).rejects.toThrow();
    });
  });
}

import { describe, it, expect } from 'vitest';
import { contactRowSchema, normalisePostcode } from '../../../src/register/rows.ts';
import { DEMO_SCHOOLS } from '../../../src/demo/demo-trust.ts';
import { syntheticPupils } from '../../../src/demo/synthetic.ts';
import { contactTasks } from '../../../src/cases/register-duties.ts';
import type { CaseRecord, Contact } from '../../../src/store/types.ts';

describe('postal addresses on contacts', () => {
  it.each([
    ['cv1 2ab', 'CV1 2AB'],
    ['CV12AB', 'CV1 2AB'],
    ['  sw1a   1aa ', 'SW1A 1AA'],
    ['b289qt', 'B28 9QT'],
    ['EC1A 1BB', 'EC1A 1BB'],
    ['W1A 0AX', 'W1A 0AX'],
    ['M1 1AE', 'M1 1AE'],
  ])('when the postcode is %j, then it is kept as %j', (raw, postcode) => {
    expect(normalisePostcode(raw)).toBe(postcode);
  });

  it.each(['12345', 'CV1', 'CV1 2A', 'CV1 2ABC', '1V1 2AB', 'CVV1 2AB', 'CV1-2AB', 'CV123 2AB', ''])('when the postcode is %j, then it is not a postcode', (raw) => {
    expect(normalisePostcode(raw)).toBeNull();
  });

  it('when the demo makes its families, then the same seed gives the same addresses, each one the import accepts, with a few families left without', () => {
    const [school] = DEMO_SCHOOLS;
    const once = syntheticPupils(school!.synthetic, 200, 1000).contacts;
    expect(syntheticPupils(school!.synthetic, 200, 1000).contacts).toEqual(once);
    const parsed = once.map((contact) => contactRowSchema.parse(contact));
    const withAddress = parsed.filter((contact) => contact.parental_responsibility && contact.address);
    const without = parsed.filter((contact) => contact.parental_responsibility && !contact.address);
    expect(withAddress.length).toBeGreaterThan(without.length * 5);
    expect(without.length).toBeGreaterThan(0);
    for (const { address } of withAddress) expect(address!.postcode).toMatch(/^CV[1-6] [1-9][A-Z]{2}$/);
  });

  it('when a parent has no usable email, then the contact task says whether letters will be posted to their address or cannot reach them', () => {
    const parent = (name: string, address: Contact['address']): Contact => ({ schoolId: 's', upn: 'A1', name, relationship: 'father', email: null, phone: null, parentalResponsibility: true, livesWith: false, address });
    const openCase = { id: 'case-1' } as CaseRecord;
    const tasks = contactTasks({ schoolId: 's', upn: 'A1', name: 'Tia Okafor' }, [parent('Sam Okafor', { lines: ['4 Osier Close'], town: 'Coventry', postcode: 'CV3 4NW' }), parent('Lee Okafor', null)], openCase, '2025-10-20', new Date());
    expect(tasks.map((task) => task.title)).toEqual([
      'Tia Okafor: no usable email for Sam Okafor (father); letters to them are printed to be posted to CV3 4NW: post them, check the address, and update their contact details',
      'Tia Okafor: no usable email or postal address for Lee Okafor (father), so no letter is made for them: add their address to their contact details, then write to them with what they missed',
    ]);
  });
});

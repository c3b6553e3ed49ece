import { describe, it, expect } from 'vitest';
import { contactRowSchema, normalisePostcode } from '../../../src/register/rows.ts';
import { DEMO_SCHOOLS } from '../../../src/demo/demo-trust.ts';
import { syntheticPupils } from '../../../src/demo/synthetic.ts';

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
});

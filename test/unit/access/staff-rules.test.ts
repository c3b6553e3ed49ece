import { describe, it, expect } from 'vitest';
import { manageVerdict, normaliseScope, type StaffScope } from '../../../src/access/staff-rules.ts';
import type { School } from '../../../src/store/types.ts';

const schools: School[] = [
  { id: 'oak', trustId: 'north', name: 'Oak Primary', workflowId: 'w', localAuthority: 'leeds' },
  { id: 'elm', trustId: 'south', name: 'Elm Academy', workflowId: 'w', localAuthority: 'leeds' },
];
const scope = (role: StaffScope['role'], where: Partial<StaffScope> = {}): StaffScope => ({ role, schoolId: null, trustId: null, localAuthority: null, ...where });
const trustAdmin = { role: 'trustAdmin' as const, trustId: 'north' };

describe('who may manage whose account', () => {
  it('when an administrator manages any account, then they may', () => {
    for (const target of [scope('admin'), scope('ewo', { localAuthority: 'leeds' }), scope('pastoral', { schoolId: 'elm' })]) {
      expect(manageVerdict({ role: 'admin', trustId: null }, target, schools)).toBe('yes');
    }
  });

  it("when a trust administrator manages their own trust's school staff, trust leads and trust administrators, then they may", () => {
    expect(manageVerdict(trustAdmin, scope('pastoral', { schoolId: 'oak' }), schools)).toBe('yes');
    expect(manageVerdict(trustAdmin, scope('champion', { schoolId: 'oak' }), schools)).toBe('yes');
    expect(manageVerdict(trustAdmin, scope('trustLead', { trustId: 'north' }), schools)).toBe('yes');
    expect(manageVerdict(trustAdmin, scope('trustAdmin', { trustId: 'north' }), schools)).toBe('yes');
  });

  it("when a trust administrator reaches another trust's staff, then the account is hidden from them", () => {
    expect(manageVerdict(trustAdmin, scope('pastoral', { schoolId: 'elm' }), schools)).toBe('hidden');
    expect(manageVerdict(trustAdmin, scope('trustLead', { trustId: 'south' }), schools)).toBe('hidden');
    expect(manageVerdict(trustAdmin, scope('pastoral', { schoolId: 'no-such-school' }), schools)).toBe('hidden');
  });

  it('when a trust administrator would give or change an administrator or an EWO, then the role is refused', () => {
    expect(manageVerdict(trustAdmin, scope('admin'), schools)).toBe('role');
    expect(manageVerdict(trustAdmin, scope('ewo', { localAuthority: 'leeds' }), schools)).toBe('role');
  });

  it('when anyone else manages accounts, then every account is hidden from them', () => {
    for (const role of ['pastoral', 'champion', 'ewo', 'trustLead'] as const) {
      expect(manageVerdict({ role, trustId: 'north' }, scope('pastoral', { schoolId: 'oak' }), schools)).toBe('hidden');
    }
    expect(manageVerdict({ role: 'trustAdmin', trustId: null }, scope('pastoral', { schoolId: 'oak' }), schools)).toBe('hidden');
  });
});

describe('the scope a role needs', () => {
  it('when a role is given its scope and others, then only its own is kept', () => {
    expect(normaliseScope(scope('pastoral', { schoolId: 'oak', trustId: 'north', localAuthority: 'leeds' }))).toEqual(scope('pastoral', { schoolId: 'oak' }));
    expect(normaliseScope(scope('trustAdmin', { schoolId: 'oak', trustId: 'north' }))).toEqual(scope('trustAdmin', { trustId: 'north' }));
    expect(normaliseScope(scope('ewo', { localAuthority: 'leeds', trustId: 'north' }))).toEqual(scope('ewo', { localAuthority: 'leeds' }));
    expect(normaliseScope(scope('admin', { schoolId: 'oak' }))).toEqual(scope('admin'));
  });

  it('when a role lacks the scope it needs, then a plain message says what to choose', () => {
    expect(normaliseScope(scope('champion'))).toBe('choose the school this person works in');
    expect(normaliseScope(scope('trustLead'))).toBe('choose the trust this person works across');
    expect(normaliseScope(scope('ewo'))).toBe('choose the local authority this person works for');
  });
});

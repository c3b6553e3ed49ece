// One contract suite for every Store adapter: each adapter's test file calls defineStoreContract;
// the suite's parts, one per group of the contract, share the store and the records made here.
import { describe, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../src/store/types.ts';
import type { ContractContext, OpenedStore } from './support.ts';
import { organisationContract } from './organisation-contract.ts';
import { registerContract } from './register-contract.ts';
import { caseContract } from './case-contract.ts';
import { workContract } from './work-contract.ts';
import { messageContract } from './message-contract.ts';
import { accountContract } from './account-contract.ts';
import { staffContract } from './staff-contract.ts';
import { scaleContract } from './scale-contract.ts';
import { policyContract } from './policy-contract.ts';
import { lettersContract } from './letters-contract.ts';

export type { OpenedStore } from './support.ts';
export function defineStoreContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const trustId = `trust-${randomUUID()}`;
    const schoolId = `school-${randomUUID()}`;
    const otherSchoolId = `school-${randomUUID()}`;
    const ctx: ContractContext = {
      get store() {
        return store;
      },
      trustId,
      schoolId,
      otherSchoolId,
    };

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.upsertTrust({ id: trustId, name: 'Test Trust' });
      await store.upsertSchool({ id: schoolId, trustId, name: 'A School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      await store.upsertSchool({ id: otherSchoolId, trustId, name: 'B School', workflowId: 'hall-green', localAuthority: 'sandwell' });
      const pupil = (upn: string, surname: string) => ({
        upn,
        forename: 'Sam',
        surname,
        dateOfBirth: '2012-03-04',
        yearGroup: '8',
        vulnerability: [] as string[],
        onRoll: true,
      });
      await store.upsertPupils(schoolId, [pupil('A1', 'Ash'), pupil('A2', 'Birch'), pupil('A3', 'Cedar'), pupil('A4', 'Damson')]);
      await store.upsertPupils(otherSchoolId, [pupil('B1', 'Elm')]);
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    organisationContract(ctx);
    registerContract(ctx);
    caseContract(ctx);
    workContract(ctx);
    messageContract(ctx);
    accountContract(ctx);
    policyContract(ctx);
    staffContract(ctx);
    scaleContract(ctx);
    lettersContract(ctx);
  });
}

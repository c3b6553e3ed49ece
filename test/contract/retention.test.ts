// Retention's store methods, the same contract for both adapters: PostgreSQL always, MongoDB where a mongod exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openTestPostgres } from '../support/postgres.ts';
import { findMongo } from '../support/mongo.ts';
import { openMongoStore } from '../../src/store/mongo/open.ts';
import type { NewCase, Store } from '../../src/store/types.ts';
import type { OpenedStore } from './store-contract.ts';

const mongo = await findMongo();
if (!mongo) console.log('mongo retention contract: skipped, no mongod available');
afterAll(async () => {
  await mongo?.stop();
});

const LONG_AGO = new Date('2010-05-01T09:00:00Z');
const RECENTLY = new Date('2024-05-01T09:00:00Z');
/** Cases, letters and audit entries before this go; a pupil born before BORN_BEFORE goes. */
const BEFORE = new Date('2020-01-01T00:00:00Z');
const BORN_BEFORE = new Date('2000-01-01T00:00:00Z');

function defineRetentionContract(name: string, open: () => Promise<OpenedStore>) {
  describe(`retention contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const school = `school-${randomUUID()}`;
    const ids = { closedOld: randomUUID(), closedRecent: randomUUID(), openOld: randomUUID() };

    const newCase = (id: string, upn: string): NewCase => ({
      id, schoolId: school, upn, workflowId: 'west-coventry', machineId: 'west-coventry', machineVersion: 1, state: 'stage1a', status: 'open', snapshot: { value: 'stage1a' }, openedAt: LONG_AGO,
    });
    const opened_ = async (id: string, upn: string) => {
      await store.createCase(newCase(id, upn), {
        timeline: [{ id: randomUUID(), at: LONG_AGO, actor: 'system:test', type: 'opened', from: null, to: 'stage1a', evidence: {} }],
        effects: [{ id: `${id}:0`, kind: 'sendLetter', payload: {} }],
        timers: [{ name: 'reviewDue', timerId: `${id}:t`, dueAt: LONG_AGO, event: { type: 'REVIEW_DUE' } }],
      });
      await store.createTask({ id: `task-${id}`, caseId: id, schoolId: school, kind: 'meeting', title: 'Meet', dueDate: '2010-05-10', createdAt: LONG_AGO });
    };
    const close = async (id: string, at: Date) => {
      await store.commitTransition({ caseId: id, expectedVersion: 1, state: 'closed', status: 'closed', snapshot: { value: 'closed' }, timeline: [], effects: [], at });
    };
    const message = (id: string, caseId: string | null, createdAt: Date) =>
      store.createMessage({
        id, effectId: `e-${id}`, caseId, schoolId: school, template: 'letter-a', kind: 'letter', recipientRole: 'parent', recipientName: 'A Parent', recipientEmail: null,
        subject: 'Attendance', messageId: `<${id}@test>`, status: 'printOnly', pdf: null, createdAt,
      });

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
      await store.upsertTrust({ id: `trust-${school}`, name: 'Retention Trust' });
      await store.upsertSchool({ id: school, trustId: `trust-${school}`, name: 'Retention School', workflowId: 'west-coventry', localAuthority: 'coventry' });
      const pupil = (upn: string, dateOfBirth: string, onRoll: boolean) => ({ upn, forename: 'Sam', surname: 'Oak', dateOfBirth, yearGroup: '11', vulnerability: [], onRoll });
      await store.upsertPupils(school, [pupil('LEFT', '1990-01-01', false), pupil('LEFTOPEN', '1990-02-01', false), pupil('LEFTYOUNG', '2012-01-01', false), pupil('ONROLL', '1990-03-01', true)]);
      await store.replaceContacts(school, [{ upn: 'LEFT', name: 'A Parent', relationship: 'Mother', email: null, phone: null, parentalResponsibility: true, livesWith: true }]);
      const staged = await store.beginMarksImport(school, { actor: 'system:test', reason: 'test', at: LONG_AGO });
      await staged.add([{ upn: 'LEFT', date: '2005-01-10', session: 'AM', code: '/', line: 2 }]);
      await staged.commit();
      await opened_(ids.closedOld, 'ONROLL');
      await close(ids.closedOld, LONG_AGO);
      await opened_(ids.closedRecent, 'LEFTYOUNG');
      await close(ids.closedRecent, RECENTLY);
      await opened_(ids.openOld, 'LEFTOPEN');
      await message('m-closed-old', ids.closedRecent, LONG_AGO);
      await message('m-no-case', null, LONG_AGO);
      await message('m-open', ids.openOld, LONG_AGO);
      await message('m-recent', ids.closedRecent, RECENTLY);
      const audit = (id: string, at: Date) => ({ id, at, actor: 'system:test', action: 'test', schoolId: school, caseId: null, upn: null, detail: {} });
      await store.appendAudit([audit(`a-old-${school}`, LONG_AGO), audit(`a-new-${school}`, RECENTLY)]);
    });

    afterAll(async () => {
      await opened?.cleanup();
    });

    it('when letters are past their period, then those of closed cases or of none go in batches, and an open case keeps its own', async () => {
      expect(await store.countExpired('letters', BEFORE)).toBe(2);
      expect(await store.purgeExpiredBatch('letters', BEFORE, 1)).toBe(1);
      expect(await store.purgeExpiredBatch('letters', BEFORE, 1)).toBe(1);
      expect(await store.purgeExpiredBatch('letters', BEFORE, 1)).toBe(0);
      expect(await store.getMessage('m-closed-old')).toBeNull();
      expect(await store.getMessage('m-no-case')).toBeNull();
      expect(await store.getMessage('m-open')).not.toBeNull();
      expect(await store.getMessage('m-recent')).not.toBeNull();
      expect(await store.heldMessageIdsBefore(BEFORE)).toEqual(['<m-open@test>']);
    });

    it('when a closed case is past its period, then it goes with its timeline, effects, timers and tasks, and an open case of the same age stays', async () => {
      expect(await store.countExpired('cases', BEFORE)).toBe(1);
      expect(await store.purgeExpiredBatch('cases', BEFORE, 50)).toBe(1);
      expect(await store.purgeExpiredBatch('cases', BEFORE, 50)).toBe(0);
      expect(await store.getCase(ids.closedOld)).toBeNull();
      expect(await store.listTimeline(ids.closedOld)).toEqual([]);
      expect(await store.listEffects({ caseId: ids.closedOld })).toEqual([]);
      expect(await store.listTimers(ids.closedOld)).toEqual([]);
      expect(await store.getTask(`task-${ids.closedOld}`)).toBeNull();
      expect((await store.getCase(ids.openOld))?.status).toBe('open');
      expect(await store.listTimeline(ids.openOld)).toHaveLength(1);
      expect((await store.getCase(ids.closedRecent))?.status).toBe('closed');
    });

    it('when a pupil who left is past their period, then they go with register and contacts; one with an open case, a younger one and one on roll stay', async () => {
      expect(await store.countExpired('pupils', BORN_BEFORE)).toBe(1);
      expect(await store.purgeExpiredBatch('pupils', BORN_BEFORE, 50)).toBe(1);
      expect(await store.purgeExpiredBatch('pupils', BORN_BEFORE, 50)).toBe(0);
      expect(await store.getPupil(school, 'LEFT')).toBeNull();
      expect(await store.listContacts(school, 'LEFT')).toEqual([]);
      expect(await store.listMarks(school, 'LEFT')).toEqual([]);
      expect((await store.listPupils(school)).map((p) => p.upn).sort()).toEqual(['LEFTOPEN', 'LEFTYOUNG', 'ONROLL']);
    });

    it('when a pupil is erased, then they go with their closed cases; one with an open case is refused and keeps everything; an unknown one is missing', async () => {
      expect(await store.erasePupil(school, 'LEFTOPEN')).toBe('open-case');
      expect(await store.getPupil(school, 'LEFTOPEN')).not.toBeNull();
      expect(await store.getCase(ids.openOld)).not.toBeNull();
      expect(await store.erasePupil(school, 'LEFTYOUNG')).toBe('erased');
      expect(await store.getPupil(school, 'LEFTYOUNG')).toBeNull();
      expect(await store.getCase(ids.closedRecent)).toBeNull();
      expect(await store.getMessage('m-recent')).toBeNull();
      expect(await store.erasePupil(school, 'LEFTYOUNG')).toBe('missing');
    });

    it('when audit entries are past their period, then the old ones go and the recent stay', async () => {
      expect(await store.countExpired('audit', BEFORE)).toBe(1);
      expect(await store.purgeExpiredBatch('audit', BEFORE, 50)).toBe(1);
      expect(await store.purgeExpiredBatch('audit', BEFORE, 50)).toBe(0);
      const left = await store.listAudit({ limit: 10, offset: 0 });
      expect(left.entries.map((e) => e.id)).toEqual([`a-new-${school}`]);
    });
  });
}

defineRetentionContract('postgres', async () => {
  const pg = await openTestPostgres();
  return { store: pg.store, cleanup: pg.close };
});

describe.skipIf(!mongo)('mongo', () => {
  defineRetentionContract('mongo', async () => {
    const store = await openMongoStore(mongo!.uri, { dbName: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}` });
    return {
      store,
      cleanup: async () => {
        await store.db.dropDatabase();
        await store.close();
      },
    };
  });
});

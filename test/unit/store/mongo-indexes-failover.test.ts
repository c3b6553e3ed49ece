import { describe, it, expect } from 'vitest';
import mongoose from 'mongoose';
import { createModels } from '../../../src/store/mongo/models.ts';
import { AGENDA_SINGLE_JOB_INDEX, indexName, missingIndexes, modelIndexes } from '../../../src/store/mongo/indexes.ts';
import { guardFailover, isFailover, unavailable } from '../../../src/store/mongo/failover.ts';
import { connectionOptions } from '../../../src/store/mongo/open.ts';
import { AppError } from '../../../src/errors.ts';

// Models bound to a connection that is never opened: their schemas and indexes, no server.
const models = createModels(mongoose.createConnection());
const wanted = modelIndexes(models);
const on = (collection: string) => wanted.filter((w) => w.collection === collection);

describe('MongoDB indexes the queries need', () => {
  it('when the models are read, then the register, the purge, the queue and the evaluation have their indexes', () => {
    expect(on('marks')).toContainEqual({ collection: 'marks', key: { schoolId: 1, upn: 1, date: 1 }, options: { name: 'marks_n_codes', partialFilterExpression: { code: 'N' } } });
    expect(on('marks').map((w) => w.key)).toContainEqual({ schoolId: 1, date: 1 });
    expect(on('mark_amendments').map((w) => w.key)).toContainEqual({ schoolId: 1, date: 1 });
    expect(on('cases').map((w) => w.key)).toEqual(
      expect.arrayContaining([{ schoolId: 1, upn: 1, openedAt: -1 }, { schoolId: 1, dueKey: 1, updatedAt: -1, _id: 1 }, { schoolId: 1, stages: 1, updatedAt: -1 }]),
    );
    expect(on('outbox').map((w) => w.key)).toContainEqual({ schoolId: 1, kind: 1, notifyTo: 1 });
  });

  it('when Agenda upserts a recurring job, then a unique partial index has exactly the upsert’s fields (the server retries the loser as an update)', () => {
    expect(AGENDA_SINGLE_JOB_INDEX).toEqual({
      collection: 'agendaJobs',
      key: { name: 1, type: 1 },
      options: { name: 'agenda_one_single_job', unique: true, partialFilterExpression: { type: 'single' } },
    });
  });

  it('when indexes exist that the models do not name, then they are kept, and only missing ones are made', () => {
    const existing = new Map([
      ['marks', [{ key: { _id: 1 } }, { key: { schoolId: 1, upn: 1, date: 1, session: 1 } }, { key: { dba: 1 } }, { key: { schoolId: 1, date: 1 } }]],
    ]);
    const missing = missingIndexes(on('marks'), existing);
    expect(missing.map(indexName)).toEqual(['marks_n_codes']);
    // The same key with another partial filter is another index.
    expect(missingIndexes(on('marks'), new Map([['marks', [{ key: { schoolId: 1, upn: 1, date: 1 } }]]])).map(indexName)).toContain('marks_n_codes');
    expect(indexName({ collection: 'x', key: { a: 1, b: -1 }, options: {} })).toBe('a_1_b_-1');
  });

  it('when the store connects, then every write is majority-acknowledged and no index is built by a model on compile', () => {
    expect(connectionOptions('t')).toMatchObject({ dbName: 't', writeConcern: { w: 'majority' }, autoIndex: false, autoCreate: false, bufferCommands: false });
  });
});

describe('MongoDB failover errors', () => {
  const server = (fields: object) => Object.assign(new Error('server said no'), { name: 'MongoServerError' }, fields);

  it('when the primary steps down or the driver gives up on transient errors, then it is a failover', () => {
    expect(isFailover(server({ code: 10107, codeName: 'NotWritablePrimary' }))).toBe(true);
    expect(isFailover(server({ code: 11602 }))).toBe(true);
    expect(isFailover(server({ code: 251, errorLabels: ['TransientTransactionError'] }))).toBe(true);
    expect(isFailover(server({ errorLabels: new Set(['UnknownTransactionCommitResult']) }))).toBe(true);
    expect(isFailover(new Error('wrapped', { cause: server({ codeName: 'InterruptedDueToReplStateChange' }) }))).toBe(true);
    expect(isFailover(Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }))).toBe(true);
  });

  it('when the error is the request’s own (a duplicate key, a bad value), then it is not a failover', () => {
    expect(isFailover(server({ code: 11000 }))).toBe(false);
    expect(isFailover(new RangeError('not a session'))).toBe(false);
    expect(isFailover(null)).toBe(false);
  });

  it('when a store method meets a failover, then it answers a 503 AppError with the cause kept; other errors pass as they are', async () => {
    class Part {
      async write(kind: string) {
        if (kind === 'failover') throw server({ codeName: 'PrimarySteppedDown' });
        throw new RangeError('bad');
      }
      async *stream() {
        yield 1;
      }
    }
    guardFailover(Part.prototype);
    const error = await new Part().write('failover').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'database_unavailable' });
    expect((error as { cause?: { codeName?: string } }).cause?.codeName).toBe('PrimarySteppedDown');
    await expect(new Part().write('bad')).rejects.toBeInstanceOf(RangeError);
    const streamed: number[] = [];
    for await (const n of new Part().stream()) streamed.push(n);
    expect(streamed).toEqual([1]);
    expect(unavailable(new Error('x')).status).toBe(503);
  });
});

describe('a reliability scenario on a MongoDB replica set', () => {
  it('when the scenario names a database of its own, then the hosts and options of the replica set are kept', async () => {
    const { withDatabase } = await import('../../reliability/support/scenario-database.ts');
    expect(withDatabase('mongodb://127.0.0.1:27017/?replicaSet=rs0', 'rel_1')).toBe('mongodb://127.0.0.1:27017/rel_1?replicaSet=rs0');
    expect(withDatabase('mongodb://a:1,b:2/old?replicaSet=rs0&w=majority', 'rel_2')).toBe('mongodb://a:1,b:2/rel_2?replicaSet=rs0&w=majority');
    expect(withDatabase('mongodb://a:1', 'rel_3')).toBe('mongodb://a:1/rel_3');
  });
});

import { afterAll, describe, it, expect } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { reportFigures } from './support/figures.ts';
import { expectNothingLostOrDuplicated } from './support/expectations.ts';
import { freshMongo } from './support/scenario-database.ts';
import { findMongo } from '../support/mongo.ts';

const PUPILS = 30;

describe('two worker processes on one database', () => {
  it(`when two worker processes work the same ${PUPILS} due timers and their letters, then no transition, effect or email happens twice`, async () => {
    const run = await runCrashScenario(PUPILS, [], 60_000, { finalWorkers: 2 });
    await reportFigures('two-worker-processes', run);
    expect(run.kills).toBe(0);
    expectNothingLostOrDuplicated(run);
  }, 90_000);
});

// The same on a MongoDB replica set, wherever one exists (skipped here with one line): Agenda's
// recurring jobs, upserted by both workers at start, must exist once (issue 22).
const mongo = await findMongo();
if (!mongo) console.log('two worker processes on MongoDB: skipped, no mongod available');
afterAll(async () => {
  await mongo?.stop();
});

describe.skipIf(!mongo)('two worker processes on one MongoDB database', () => {
  it(`when two worker processes work the same ${PUPILS} due timers and their letters on MongoDB, then no transition, effect or email happens twice`, async () => {
    const run = await runCrashScenario(PUPILS, [], 90_000, { finalWorkers: 2, database: freshMongo(mongo!.uri) });
    await reportFigures('two-worker-processes-mongo', run);
    expect(run.kills).toBe(0);
    expectNothingLostOrDuplicated(run);
  }, 150_000);
});

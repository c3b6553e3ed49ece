import { describe, it, expect } from 'vitest';
import { fuzzApi } from './support/api-fuzz.ts';
import { reportFigures } from './support/figures.ts';

const RUNS_PER_ROUTE = 40;

describe('the API under generated malformed requests (fast-check, from the route schemas)', () => {
  it(`when ${RUNS_PER_ROUTE} hostile requests per route arrive (operator injection, SQL, bad JSON, prototype keys), then every answer is a JSON 4xx or a 2xx, never a 5xx`, async () => {
    const outcome = await fuzzApi(RUNS_PER_ROUTE);
    await reportFigures('api-properties', outcome);
    expect(outcome.failures).toEqual([]);
    expect(outcome.requests).toBe(outcome.routes * RUNS_PER_ROUTE);
    // The generator reaches past sign-in and validation: some answers come from the handlers.
    expect(Object.keys(outcome.statuses)).toEqual(expect.arrayContaining(['400', '401', '404']));
  }, 120_000);
});

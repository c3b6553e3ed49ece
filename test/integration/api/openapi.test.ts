import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createWorld, type World } from './world.ts';
import { openApiPath } from '../../../src/http/api/openapi.ts';
import { Validator } from '@seriousme/openapi-schema-validator';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** The routes express really has mounted under /api, read from its router. */
function mountedRoutes(app: World['app']): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.filter((r) => r.includes(' /api/') && !r.includes('/api/docs')).sort();
}

type Operation = { parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[]; requestBody?: { content: Record<string, { schema: { required?: string[] } }> } };

describe('the OpenAPI document', () => {
  let world: World;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    world = await createWorld();
    doc = (await request(world.app).get('/api/openapi.json')).body;
  });
  afterAll(async () => world?.close());

  it('when it is read, then it is OpenAPI 3.1 with an operation id, responses and valid JSON schemas everywhere', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/api\//);
      for (const operation of Object.values(operations) as (Operation & { operationId: string; responses: object })[]) {
        expect(ids.has(operation.operationId)).toBe(false);
        ids.add(operation.operationId);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        for (const parameter of operation.parameters ?? []) expect(['path', 'query']).toContain(parameter.in);
      }
    }
  });

  it('when it is checked against the OpenAPI specification schema, then it is a valid 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(validator.version).toBe('3.1');
    expect(result.valid, JSON.stringify(result.errors, null, 2)).toBe(true);
  });

  it('when it is compared with the routes express mounted, then every route is documented and nothing else', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(mountedRoutes(world.app).map((r) => r.replace(/ (.*)$/, (_, p: string) => ` ${openApiPath(p)}`)).sort()).toEqual(documented);
  });

  it('when each path is read, then its path parameters are exactly the documented required ones', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(operations)) {
        expect((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(inPath);
      }
    }
  });

  it('when a documented required body field is left out, then the route answers 400 naming that field', async () => {
    const admin = await world.login('admin');
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      const post = operations.post;
      const required = post?.requestBody?.content['application/json']?.schema.required;
      if (!required || path.includes('/auth/')) continue;
      // A link's token is checked for its form like the body: a well-formed one, so only the body is wrong.
      const url = path.replace('{id}', path.startsWith('/api/cases') ? world.caseIds.s1 : 's1').replace('{token}', 'a'.repeat(43)).replace('{workflow}', 'west-coventry').replace('{name}', 'letter-a');
      const res = await request(world.app).post(url).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).send({});
      expect(res.status, url).toBe(400);
      expect(res.body.error.details.problems.map((p: { field: string }) => p.field).sort(), url).toEqual([...required].sort());
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('when a documented query pattern is broken, then the route answers 400', async () => {
    const admin = await world.login('admin');
    const page = doc.paths['/api/cases']!.get!.parameters!.find((p) => p.name === 'page')!;
    expect(page.schema.pattern).toBeDefined();
    expect((await request(world.app).get('/api/cases?page=zero').set('Cookie', admin.cookie)).status).toBe(400);
    expect((await request(world.app).get('/api/cases?page=2').set('Cookie', admin.cookie)).status).toBe(200);
  });

  it('when the interactive docs are opened, then the page and its assets come from this server', async () => {
    const page = await request(world.app).get('/api/docs');
    expect(page.status).toBe(200);
    for (const src of [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      expect(src.startsWith('/api/docs/')).toBe(true);
      expect((await request(world.app).get(src)).status).toBe(200);
    }
  });
});

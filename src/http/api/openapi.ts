import { z } from 'zod';
import { SESSION_COOKIE, CSRF_HEADER } from '../auth/sessions.ts';
import type { AnyRoute } from './route.ts';

/** A schema as the request side sees it (before transforms and defaults), without the draft marker. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const shapeOf = (schema: z.ZodType | undefined): Record<string, z.ZodType> => (schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {});

/** Express `:id` becomes OpenAPI `{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The API description, built from the same route registry and zod schemas the routes validate with. */
export function openApiDocument(routes: AnyRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const parameters = [
      ...Object.entries(shapeOf(spec.params)).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchema(schema) })),
      ...Object.entries(shapeOf(spec.query)).map(([name, schema]) => ({
        name,
        in: 'query',
        required: !schema.safeParse(undefined).success,
        schema: jsonSchema(schema),
        ...(schema.description ? { description: schema.description } : {}),
      })),
    ];
    const responses: Record<string, { description: string }> = {};
    for (const [status, description] of Object.entries(spec.responses)) responses[status] = { description };
    responses['400'] = { description: 'the request is not valid: error.details.problems lists each field' };
    if (!spec.public) responses['401'] = { description: 'not signed in' };
    if (!spec.public && spec.method !== 'get') responses['403'] ??= { description: `no ${CSRF_HEADER} header matching the session` };
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = {
      operationId: `${spec.method}${spec.path.replace(/^\/api/, '').replace(/\/:?(\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: spec.summary,
      tags: [spec.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
      responses,
      security: spec.public ? [] : [{ session: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Attendance escalation API',
      version: '1',
      description: `Sign in at POST /api/auth/login; the session cookie then authenticates, and every write sends the session's CSRF token in ${CSRF_HEADER}.`,
    },
    paths,
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
  };
}

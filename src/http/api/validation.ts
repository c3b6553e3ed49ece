import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export interface FieldProblem {
  in: 'params' | 'query' | 'body';
  /** Dotted path to the field, e.g. `rows.3.code`; empty for the whole part. */
  field: string;
  message: string;
}

/** With the u flag a pair is one code point, so only half of one matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why PostgreSQL cannot store a text: a NUL, or half of a UTF-16 surrogate pair (JSON's "\ud800", which jsonb refuses); null when it can. */
const unstorable = (text: string): string | null =>
  text.includes('\u0000') ? 'must not contain a NUL character' : !LONE_SURROGATE.test(text) ? null : 'must not contain a broken character (half of a surrogate pair)';

/**
 * Where text PostgreSQL cannot hold hides in a value (a string or a key), as a dotted path; null
 * if nowhere. It would fail the query (a 500) rather than the request.
 */
function nulAt(value: unknown, path: string[] = [], depth = 0): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const why = unstorable(value);
    return why ? { field: path.join('.'), message: why } : null;
  }
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const why = unstorable(key);
    if (why) return { field: [...path, key].join('.'), message: why };
    const found = nulAt(item, [...path, key], depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Parses the request's params, query and body with the route's schemas and hands on the parsed
 * values (with their defaults and transforms); any problem is a 400 listing every field at fault.
 */
export function parseRequest(schemas: RequestSchemas, req: Request): { params: unknown; query: unknown; body: unknown } {
  const problems: FieldProblem[] = [];
  const parse = (part: FieldProblem['in'], schema: z.ZodType | undefined, value: unknown) => {
    if (!schema) return undefined;
    const nul = nulAt(value);
    if (nul !== null) {
      problems.push({ in: part, ...nul });
      return undefined;
    }
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    for (const issue of result.error.issues) problems.push({ in: part, field: issue.path.map(String).join('.'), message: issue.message });
    return undefined;
  };
  const parsed = { params: parse('params', schemas.params, req.params), query: parse('query', schemas.query, req.query), body: parse('body', schemas.body, req.body) };
  if (problems.length > 0) throw new AppError(400, 'invalid_request', 'the request is not valid: see details', { problems });
  return parsed;
}

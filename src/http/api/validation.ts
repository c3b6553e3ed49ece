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

/**
 * Where a NUL character hides in a value (a string or a key), as a dotted path; null if nowhere.
 * PostgreSQL text cannot hold one, so it would fail the query (a 500) rather than the request.
 */
function nulAt(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : null;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key].join('.');
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
      problems.push({ in: part, field: nul, message: 'must not contain a NUL character' });
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

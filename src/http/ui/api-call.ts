import type { Request, Response } from 'express';
import type { AuditRecorder } from '../../access/audit.ts';
import type { Store } from '../../store/types.ts';
import { callerFor, runHandler, type AnyRoute } from '../api/route.ts';
import { parseRequest } from '../api/validation.ts';
import type { SignedIn } from '../auth/sessions.ts';
import type { Access } from '../../access/scope.ts';
import { AppError } from '../../errors.ts';

export interface ApiInput {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Calls one API route in-process: the pages see exactly what the API answers, with its validation, access rules and audit. */
export type ApiCall = <T>(method: 'get' | 'post', path: string, input?: ApiInput) => Promise<T>;

export function apiCaller(routes: readonly AnyRoute[], deps: { store: Store; audit: AuditRecorder }) {
  const byKey = new Map(routes.map((spec) => [`${spec.method} ${spec.path}`, spec]));
  return (req: Request, res: Response, signedIn: SignedIn | null, access?: () => Promise<Access>): ApiCall =>
    async <T>(method: 'get' | 'post', path: string, input: ApiInput = {}) => {
      const spec = byKey.get(`${method} ${path}`);
      if (!spec) throw new Error(`no API route ${method.toUpperCase()} ${path}`);
      if (!spec.public && !signedIn) throw new AppError(401, 'unauthenticated', 'sign in first');
      const parsed = parseRequest(spec, { params: input.params ?? {}, query: input.query ?? {}, body: input.body ?? {} } as Request);
      const caller = callerFor(signedIn, deps, { route: spec.path, page: req.path }, access);
      const result = (await runHandler(spec, { ...parsed, req, res, caller }, signedIn, deps.audit, { route: spec.path, page: req.path })) as T;
      // The API's ETag is the case version; on a page it would let a browser keep a stale copy.
      if (!res.headersSent) res.removeHeader('ETag');
      return result;
    };
}

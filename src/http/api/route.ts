import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { accessFor, type Access } from '../../access/scope.ts';
import type { AuditRecorder, AuditTarget } from '../../access/audit.ts';
import type { Store } from '../../store/types.ts';
import { AppError } from '../../errors.ts';
import { checkCsrf, type SignedIn } from '../auth/sessions.ts';
import { parseRequest } from './validation.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Caller extends SignedIn {
  /** What the caller may see and do, computed once per request. */
  access(): Promise<Access>;
  audit(action: string, target: AuditTarget, detail?: Record<string, unknown>): Promise<void>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  /** The signed-in caller; only a public route can run without one. */
  caller(): Caller;
}

export interface RouteSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: 'get' | 'post';
  /** Express path syntax, e.g. `/api/cases/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Public routes (sign-in, the API description) run without a session. */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest JSON body accepted (register imports are large). */
  bodyLimit?: string;
  /** Statuses the route answers besides the validation 400 and the sign-in 401, for the API description. */
  responses: Record<number, string>;
  /** Returns the JSON body of a 200 (or sets the status itself first); undefined answers 204. */
  handle(ctx: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<unknown> | unknown;
}

// Each route keeps its own schema types; the registry only needs the common shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec;
}

const unauthenticated = () => new AppError(401, 'unauthenticated', 'sign in first');

/** The signed-in user, set by the session middleware for every request that carries a live session. */
export const signedInOf = (res: Response): SignedIn | null => (res.locals.signedIn as SignedIn | undefined) ?? null;

/** The caller of one request: access computed once, on first use; audit entries name where they came from. */
export function callerFor(
  signedIn: SignedIn | null,
  deps: { store: Store; audit: AuditRecorder },
  where: Record<string, string>,
  /** The request's own Access when a page already has it (the same person, the same request). */
  shared?: () => Promise<Access>,
): () => Caller {
  let access: Promise<Access> | null = null;
  return () => {
    if (!signedIn) throw unauthenticated();
    return {
      ...signedIn,
      access: shared ?? (() => (access ??= accessFor(deps.store, signedIn.user))),
      audit: (action, target, detail) => deps.audit(signedIn.user.id, action, target, { ...where, ...detail }),
    };
  };
}

const auditedRefusals = new WeakSet<object>();

/**
 * A signed-in person refused (403) or told a thing is not there (404, which is also what another
 * school's case answers) leaves an audit entry: probing across schools is visible in the log.
 * Once per error, though a page's own handler and the API route it called both see it.
 */
export async function auditRefusal(audit: AuditRecorder, signedIn: SignedIn | null, error: unknown, where: Record<string, unknown>): Promise<void> {
  if (!signedIn || !(error instanceof AppError) || (error.status !== 403 && error.status !== 404) || auditedRefusals.has(error)) return;
  auditedRefusals.add(error);
  await audit(signedIn.user.id, 'access.refused', {}, { ...where, status: error.status, reason: error.message });
}

/** Runs a route's handler, auditing a refusal of a signed-in caller. */
export async function runHandler(spec: AnyRoute, ctx: RouteContext<unknown, unknown, unknown>, signedIn: SignedIn | null, audit: AuditRecorder, where: Record<string, unknown>): Promise<unknown> {
  try {
    return await spec.handle(ctx as never);
  } catch (error) {
    await auditRefusal(audit, signedIn, error, { ...where, method: spec.method, params: ctx.params ?? null });
    throw error;
  }
}

/**
 * Mounts the routes: sign-in check, CSRF check on writes, validation of params, query and body,
 * then the handler with the parsed values. Authorisation of the data itself happens in the
 * handler through the caller's access, which is the same for every route.
 */
export function mountRoutes(router: Router, routes: AnyRoute[], deps: { store: Store; audit: AuditRecorder }): void {
  for (const spec of routes) {
    // A read has no body to parse: the parser would only cost every GET its content-type checks.
    const body = spec.method === 'get' ? [] : [express.json({ limit: spec.bodyLimit ?? '100kb' })];
    router[spec.method](spec.path, ...body, async (req, res) => {
      // What the request log names: the pattern, never the path with its UPNs and ids.
      res.locals.route = spec.path;
      const signedIn = signedInOf(res);
      if (!spec.public && !signedIn) throw unauthenticated();
      if (signedIn && !spec.public && spec.method !== 'get') checkCsrf(req, signedIn.session);
      const { params, query, body } = parseRequest(spec, req);
      const caller = callerFor(signedIn, deps, { route: spec.path });
      const result = await runHandler(spec, { params, query, body, req, res, caller }, signedIn, deps.audit, { route: spec.path });
      if (res.headersSent) return;
      if (result === undefined) res.status(204).end();
      else res.json(result);
    });
  }
}

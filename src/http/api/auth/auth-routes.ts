import { z } from 'zod';
import type { Request, Response } from 'express';
import type { Store, User } from '../../../store/types.ts';
import type { AuditRecorder } from '../../../access/audit.ts';
import { AppError } from '../../../errors.ts';
import { LoginRefused, passwordLogin } from '../../auth/login.ts';
import { cookieOptions, readCookie, type SignedIn, type Sessions } from '../../auth/sessions.ts';
import type { OidcClient, OidcFlow } from '../../auth/oidc.ts';
import { route, signedInOf, type AnyRoute } from '../route.ts';

export interface AuthDeps {
  store: Store;
  sessions: Sessions;
  audit: AuditRecorder;
  /** Real time, never the demo's movable clock: sessions and rate limits run on the wall clock. */
  now: () => Date;
  oidc: OidcClient | null;
}

const FLOW_COOKIE = 'oidc_flow';
const FLOW_PATH = '/api/auth/oidc';

export const publicUser = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  schoolId: user.schoolId,
  trustId: user.trustId,
  localAuthority: user.localAuthority,
});

const flowSchema = z.object({ state: z.string().min(1), nonce: z.string().min(1), verifier: z.string().min(1) });

/** The flow the start route saved, or null: the cookie comes from the browser and may be anything. */
function flowFromCookie(saved: string | null): OidcFlow | null {
  if (!saved) return null;
  try {
    return flowSchema.parse(JSON.parse(Buffer.from(saved, 'base64url').toString()));
  } catch {
    return null;
  }
}

export const signedInBody = ({ user, session }: SignedIn) => ({ user: publicUser(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt });

/** Sign-in may only be posted from this site's own pages: a login CSRF would sign a victim in as the attacker. */
export function requireSameOrigin(req: Request): void {
  const origin = req.get('origin');
  if (origin === undefined || origin === 'null') return;
  // A malformed Origin is no origin of ours: refused like a foreign one, never a 500.
  const host = URL.canParse(origin) ? new URL(origin).host : null;
  if (host !== req.get('host')) throw new AppError(403, 'csrf', 'sign-in must come from this site');
}

export function authRoutes(deps: AuthDeps): AnyRoute[] {
  const { store, sessions, audit } = deps;
  const finishSignIn = async (req: Request, res: Response, user: User, method: string) => {
    const signedIn = await sessions.start(req, res, user);
    await audit(user.id, 'auth.login', {}, { method });
    // For the Staff page's "last signed in".
    await store.recordSignIn(user.id, deps.now());
    return signedIn;
  };
  return [
    route({
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: 'Sign in with email and password; sets the session cookie and returns the CSRF token',
      public: true,
      body: z.object({ email: z.email().max(320), password: z.string().min(1).max(1000) }),
      responses: { 200: 'signed in', 401: 'wrong email or password', 403: 'posted from another site', 429: 'too many failed sign-ins' },
      async handle({ body, req, res }) {
        requireSameOrigin(req);
        let user: User;
        try {
          user = await passwordLogin(store, deps.now, { email: body.email, password: body.password, address: req.ip ?? 'unknown' });
        } catch (error) {
          if (error instanceof AppError && error.status === 429) res.set('Retry-After', String((error.details as { retryAfterSeconds: number }).retryAfterSeconds));
          // The account tried (when it exists) and the client's address; never the password, nor an email no account has.
          if (error instanceof AppError) await audit('anonymous', 'auth.failed', {}, { reason: error.code, account: error instanceof LoginRefused ? error.accountId : null, address: req.ip ?? null });
          throw error;
        }
        return signedInBody(await finishSignIn(req, res, user, 'password'));
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/session',
      tag: 'auth',
      summary: 'The signed-in user and the session’s CSRF token',
      responses: { 200: 'signed in' },
      handle: ({ res }) => signedInBody(signedInOf(res)!),
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      summary: 'Sign out: ends the session on the server and clears the cookie',
      responses: { 204: 'signed out', 403: 'no CSRF token' },
      async handle({ req, res, caller }) {
        const me = caller();
        await sessions.end(req, res);
        await audit(me.user.id, 'auth.logout', {});
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/oidc/start',
      tag: 'auth',
      summary: 'Single sign-on: redirects to the school’s identity provider',
      public: true,
      responses: { 302: 'to the provider', 404: 'single sign-on is not configured' },
      async handle({ req, res }) {
        if (!deps.oidc) throw new AppError(404, 'not_found', 'single sign-on is not configured');
        const { url, flow } = await deps.oidc.start();
        res.cookie(FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), { ...cookieOptions(req, 10 * 60_000), path: FLOW_PATH });
        res.redirect(302, url.href);
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/oidc/callback',
      tag: 'auth',
      summary: 'Single sign-on: where the provider returns; signs in the account linked to that person at the provider (linked by email on their first sign-in)',
      public: true,
      query: z.object({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() }).loose(),
      responses: { 302: 'signed in, to the home page', 401: 'the sign-on failed, no account has that email, or the account is linked to another person at the provider', 404: 'single sign-on is not configured' },
      async handle({ req, res }) {
        if (!deps.oidc) throw new AppError(404, 'not_found', 'single sign-on is not configured');
        const flow = flowFromCookie(readCookie(req, FLOW_COOKIE));
        res.clearCookie(FLOW_COOKIE, { ...cookieOptions(req), path: FLOW_PATH });
        if (!flow) throw new AppError(401, 'sso_failed', 'the sign-on was not started from this browser, or took too long');
        const user = await ssoAccount(store, await deps.oidc.finish(new URL(req.originalUrl, 'http://callback').search, flow), deps.now(), async (reason, account) => {
          await audit('anonymous', 'auth.failed', {}, { reason, account, address: req.ip ?? null });
        });
        await finishSignIn(req, res, user, 'oidc');
        res.redirect(302, '/');
      },
    }),
  ];
}

/**
 * The account a single sign-on belongs to. The provider's subject decides once linked, so an email
 * changed at the provider keeps working. Before that, the first sign-in with the account's email
 * links it; an account already linked to another subject is refused, whatever the email says.
 */
async function ssoAccount(
  store: Store,
  signedIn: { issuer: string; subject: string; email: string },
  at: Date,
  refused: (reason: string, account: string | null) => Promise<void>,
): Promise<User> {
  const refuse = async (code: string, reason: string, account: string | null, message: string): Promise<never> => {
    await refused(reason, account);
    throw new AppError(401, code, message);
  };
  const linked = await store.findIdentity(signedIn.issuer, signedIn.subject);
  if (linked) {
    const user = await store.getUser(linked.userId);
    return user?.active ? user : refuse('sso_no_account', 'sso_inactive', linked.userId, 'there is no active account for you: ask your administrator');
  }
  const user = await store.findUserByEmail(signedIn.email);
  if (!user?.active) return refuse('sso_no_account', 'sso_no_account', user?.id ?? null, 'there is no active account for that email: ask your administrator');
  if (!(await store.linkIdentity({ userId: user.id, issuer: signedIn.issuer, subject: signedIn.subject, linkedAt: at }))) {
    return refuse('sso_other_person', 'sso_subject_mismatch', user.id, 'this account signs in as another person at your organisation’s sign-in: ask your administrator');
  }
  return user;
}

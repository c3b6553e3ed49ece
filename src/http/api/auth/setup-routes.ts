import { z } from 'zod';
import { completeSetup, readSetupLink, setupFormSchema } from '../../../access/first-run.ts';
import { route, type AnyRoute } from '../route.ts';
import { requireSameOrigin, signedInBody, type AuthDeps } from './auth-routes.ts';

// The token is 32 random bytes, base64url: anything else is no link of ours.
const params = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a setup link') });

/** The first-run setup link: whom it names, and using it to create the first administrator. */
export function setupRoutes(deps: AuthDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/setup/:token',
      tag: 'auth',
      summary: 'First run: whether a setup link still works, and whom it names',
      public: true,
      params,
      responses: { 200: 'the link works', 404: 'used, expired, replaced, or an administrator exists' },
      async handle({ params }) {
        const link = await readSetupLink(deps.store, params.token, deps.now());
        return { email: link.email, name: link.name };
      },
    }),
    route({
      method: 'post',
      path: '/api/setup/:token',
      tag: 'auth',
      summary: 'First run: creates the first administrator from the setup link, and signs them in',
      public: true,
      params,
      body: setupFormSchema,
      responses: { 200: 'the administrator exists and is signed in', 403: 'posted from another site', 404: 'the link no longer works', 409: 'the email has an account', 422: 'the link is for another email' },
      async handle({ params, body, req, res }) {
        requireSameOrigin(req);
        const user = await completeSetup(deps.store, params.token, body, deps.now());
        await deps.audit(user.id, 'setup.first-admin', {}, { via: 'setup link' });
        const signedIn = await deps.sessions.start(req, res, user);
        await deps.audit(user.id, 'auth.login', {}, { method: 'setup' });
        return signedInBody(signedIn);
      },
    }),
  ];
}

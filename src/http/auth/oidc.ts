import * as client from 'openid-client';
import { AppError } from '../../errors.ts';
import type { OidcSettings } from './auth-config.ts';

/** What the browser keeps between leaving for the provider and coming back (an HttpOnly cookie). */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
}

const LOOPBACK = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//;

/** Authorization-code sign-in with PKCE, state and nonce against the configured provider. */
export function oidcClient(settings: OidcSettings) {
  let configuration: Promise<client.Configuration> | null = null;
  const configured = () =>
    (configuration ??= client
      .discovery(
        new URL(settings.issuer),
        settings.clientId,
        settings.clientSecret,
        undefined,
        // Plain http only to a provider on this machine (tests, local development).
        LOOPBACK.test(`${settings.issuer.replace(/\/?$/, '/')}`) ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        configuration = null;
        throw error;
      }));

  async function start(): Promise<{ url: URL; flow: OidcFlow }> {
    const config = await configured();
    const flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUri,
      scope: 'openid email profile',
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
    });
    return { url, flow };
  }

  /** Who the provider signed in: its issuer, their subject there (`sub`, which never changes) and their verified email. */
  async function finish(search: string, flow: OidcFlow): Promise<{ issuer: string; subject: string; email: string }> {
    const config = await configured();
    // The registered redirect URI, not the request's Host header: behind a proxy they differ.
    const callbackUrl = new URL(settings.redirectUri);
    callbackUrl.search = search;
    let claims: client.IDToken | client.UserInfoResponse;
    let idToken: client.IDToken;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      idToken = tokens.claims()!;
      // Providers that follow OIDC Core 5.4 give scope claims such as email at UserInfo, not in the ID token.
      claims = typeof idToken.email === 'string' ? idToken : await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
    } catch (error) {
      throw new AppError(401, 'sso_failed', `single sign-on did not complete: ${(error as Error).message}`);
    }
    const email = claims.email;
    if (typeof email !== 'string' || claims.email_verified === false) throw new AppError(401, 'sso_failed', 'the provider did not give a verified email address');
    return { issuer: idToken.iss, subject: idToken.sub, email };
  }

  return { start, finish, label: settings.label };
}

export type OidcClient = ReturnType<typeof oidcClient>;

import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Whether the service is reached over HTTPS, from the address people open (PUBLIC_URL): behind a
 * TLS proxy the service itself only ever sees plain HTTP.
 */
export const servedOverHttps = (publicUrl: string) => new URL(publicUrl).protocol === 'https:';

/**
 * helmet's headers. Over HTTPS all of them, HSTS and `upgrade-insecure-requests` included. Over
 * plain HTTP (a trial on a LAN) those two would send the browser to https for every stylesheet
 * and script, which nothing answers, so the page comes unstyled and sign-in cannot work: leave
 * them out.
 */
export function securityHeaders(publicUrl: string): RequestHandler {
  if (servedOverHttps(publicUrl)) return helmet();
  return helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } }, strictTransportSecurity: false });
}

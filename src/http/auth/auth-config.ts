import { z } from 'zod';

const url = z.url({ protocol: /^https?$/ });

/**
 * Single sign-on settings from the environment: one OpenID Connect provider per deployment
 * (a school's Microsoft 365 or Google tenant). All four set, or none.
 */
export const oidcEnvSchema = z
  .object({
    OIDC_ISSUER: url.optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** Where the provider sends the browser back: this service's /api/auth/oidc/callback. */
    OIDC_REDIRECT_URI: url.optional(),
    OIDC_LABEL: z.string().min(1).default('Sign in with your school account'),
  })
  .refine((env) => [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET, env.OIDC_REDIRECT_URI].every((v) => v === undefined) ||
    [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET, env.OIDC_REDIRECT_URI].every((v) => v !== undefined), {
    message: 'set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI together',
  });

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  label: string;
}

/** The provider the environment configures, or null when single sign-on is off. */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv): OidcSettings | null {
  const parsed = oidcEnvSchema.parse(env);
  if (!parsed.OIDC_ISSUER) return null;
  return { issuer: parsed.OIDC_ISSUER, clientId: parsed.OIDC_CLIENT_ID!, clientSecret: parsed.OIDC_CLIENT_SECRET!, redirectUri: parsed.OIDC_REDIRECT_URI!, label: parsed.OIDC_LABEL };
}

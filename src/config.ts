import { isIP } from 'node:net';
import { z } from 'zod';

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}:`)), {
      message: `must start with ${protocols.map((p) => `${p}:`).join(' or ')}`,
    });

const optionalHttpUrl = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined))
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http: or https: URL' }).optional());

/** What express's `trust proxy` accepts in a list: a name for a range, an address, or address/prefix. */
function isProxyAddress(part: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(part)) return true;
  const [address, prefix, ...rest] = part.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/** A retention period in whole years; at least one, so a typo cannot purge yesterday's records. */
const retentionYears = (fallback: number) => z.coerce.number().int().min(1).max(100).default(fallback);

/** Single sign-on needs all four; the label is optional. */
const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'] as const;

/** The environment the service reads; everything else about a school lives in its workflow. */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
    MONGODB_URI: optionalUrl(['mongodb', 'mongodb+srv']),
    DATA_DIR: z.string().min(1).default('./data'),
    SMTP_URL: optionalUrl(['smtp', 'smtps']),
    /** `false` only for a mail server on the same trusted network that cannot do TLS. */
    SMTP_REQUIRE_TLS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    /** Sender when a school has no office mailbox of its own. */
    MAIL_FROM: z.string().trim().min(3).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TZ: z.string().default('Europe/London'),
    ROLE: z.enum(['all', 'web', 'worker']).default('all'),
    /**
     * How long a worker's job locks and outbox claims last without renewal: a worker that dies is
     * taken over within this time (at once by a restart on the same host). Renewed every third of it.
     */
    WORKER_LEASE_SECONDS: z.coerce.number().int().min(3).max(600).default(15),
    DEMO: z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true' || value === '1')),
    /** The OpenID Connect provider of the deployment (a school's Microsoft 365 or Google tenant). */
    OIDC_ISSUER: optionalHttpUrl,
    OIDC_CLIENT_ID: z.string().trim().optional().transform((value) => (value ? value : undefined)),
    OIDC_CLIENT_SECRET: z.string().optional().transform((value) => (value ? value : undefined)),
    /** Where the provider sends the browser back: this service's /api/auth/oidc/callback, as the public sees it. */
    OIDC_REDIRECT_URI: optionalHttpUrl.refine((value) => value === undefined || new URL(value).pathname.endsWith('/api/auth/oidc/callback'), {
      message: 'must be this service\'s /api/auth/oidc/callback',
    }),
    OIDC_LABEL: z.string().trim().min(1).default('Sign in with your school account'),
    /** The service's base URL as users reach it (behind a proxy, the public one): links in emails start with it. */
    PUBLIC_URL: optionalHttpUrl,
    /**
     * Which reverse proxies' X-Forwarded-For to believe for the client's address (rate limits, the
     * audit log): a number of hops, or addresses/subnets (`loopback`, `10.0.0.0/8`). Unset, none:
     * behind a proxy every user would then share the proxy's address.
     */
    TRUST_PROXY: z
      .string()
      .trim()
      .optional()
      .transform((value, ctx): number | string[] | false => {
        if (!value || value === 'false' || value === '0') return false;
        if (/^\d+$/.test(value)) return Number(value);
        if (value === 'true') {
          ctx.addIssue({ code: 'custom', message: "name the proxies' addresses or how many there are: 'true' would believe any client's X-Forwarded-For" });
          return z.NEVER;
        }
        const list = value.split(',').map((part) => part.trim()).filter(Boolean);
        const bad = list.find((part) => !isProxyAddress(part));
        if (bad !== undefined) {
          ctx.addIssue({ code: 'custom', message: `'${bad}' is not a hop count, an address, a subnet, loopback, linklocal nor uniquelocal` });
          return z.NEVER;
        }
        return list;
      }),
    /** Retention periods (src/retention/policy.ts gives each one's source): how long each kind is kept. */
    RETAIN_CLOSED_CASES_YEARS: retentionYears(6),
    RETAIN_LEFT_PUPILS_YEARS_FROM_BIRTH: retentionYears(25),
    RETAIN_LETTERS_YEARS: retentionYears(3),
    RETAIN_AUDIT_YEARS: retentionYears(6),
    /** The largest register file the upload page takes, in MB: a year of marks for a large secondary is about 30 MB. */
    REGISTER_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(10_240).default(512),
    /** Where schools' MIS exports are dropped (one folder per school id); unset, no folder is watched. */
    REGISTER_DROP_DIR: z.string().trim().optional().transform((value) => (value ? value : undefined)),
    /** How often the worker looks in the drop folders. */
    REGISTER_DROP_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(20),
    /** Signs the evidence-pack links; unset, a key generated once into DATA_DIR is used. */
    EVIDENCE_LINK_SECRET: z.string().optional().transform((value) => (value ? value : undefined)),
  })
  .superRefine((env, ctx) => {
    const missing = OIDC_REQUIRED.filter((name) => env[name] === undefined);
    if (missing.length === 0 || missing.length === OIDC_REQUIRED.length) return;
    for (const name of missing) {
      ctx.addIssue({ code: 'custom', path: [name], message: `not set: single sign-on needs ${OIDC_REQUIRED.slice(0, -1).join(', ')} and ${OIDC_REQUIRED.at(-1)} together` });
    }
  })
  .refine((env) => !(env.DATABASE_URL && env.MONGODB_URI), {
    message: 'set DATABASE_URL or MONGODB_URI, not both',
    path: ['DATABASE_URL'],
  })
  // Links are joined onto it, so it never ends in a slash.
  .transform((env) => ({ ...env, PUBLIC_URL: (env.PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/+$/, '') }));

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the environment; a bad value fails with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Which store the configuration selects: embedded PostgreSQL when nothing is set. */
export function storeKind(config: Config): 'postgres' | 'embedded-postgres' | 'mongo' {
  if (config.MONGODB_URI) return 'mongo';
  return config.DATABASE_URL ? 'postgres' : 'embedded-postgres';
}

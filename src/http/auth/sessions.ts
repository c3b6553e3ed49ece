import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { AuthSession, Store, User } from '../../store/types.ts';
import { AppError } from '../../errors.ts';

export const SESSION_COOKIE = 'sid';
/** A working day and a bit: staff sign in each morning. */
export const SESSION_TTL_MS = 10 * 3_600_000;
/**
 * How long this process trusts a session it has read, so a busy user's requests do not each read
 * the session and the account. Signing out (or in again) in this process drops it at once; signing
 * out in another process, or an account deactivated in the database, takes effect within this time.
 */
export const SESSION_CACHE_MS = 2_000;
export const CSRF_HEADER = 'x-csrf-token';
/** The form-field alternative to the header, for plain HTML forms. */
export const CSRF_FIELD = '_csrf';

const token = () => randomBytes(32).toString('base64url');
const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

/**
 * Secure when people reach the service over HTTPS (PUBLIC_URL https, set by createApp as the
 * 'https' setting) or the request came over TLS. Over plain HTTP a browser drops a Secure cookie,
 * so a trial on a LAN could never sign in.
 */
export function cookieOptions(req: Request, maxAge?: number): CookieOptions {
  const secure = req.secure || req.app.get('https') === true;
  return { httpOnly: true, sameSite: 'lax', secure, path: '/', ...(maxAge === undefined ? {} : { maxAge }) };
}

export function readCookie(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    // A cookie that is not valid percent-encoding (planted by a sibling domain, say) is no session.
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null;
    }
  }
  return null;
}

export interface SignedIn {
  user: User;
  session: AuthSession;
}

/**
 * Server-side sessions: the cookie carries a random id, the database its hash, the user and the CSRF
 * token. One per process: its cache is only right if every sign-in and sign-out goes through it.
 */
export function sessionStore(store: Store, now: () => Date) {
  // Concurrent requests of one session share one read (the promise is kept while it runs).
  const recent = new Map<string, { readAt: number; signedIn: Promise<SignedIn | null> }>();
  const forget = (idHash: string) => recent.delete(idHash);

  async function read(idHash: string): Promise<SignedIn | null> {
    const session = await store.getSession(idHash);
    if (!session) return null;
    const user = await store.getUser(session.userId);
    return user?.active ? { user, session } : null;
  }

  function cached(idHash: string): Promise<SignedIn | null> {
    const at = now().getTime();
    const known = recent.get(idHash);
    if (known && at - known.readAt < SESSION_CACHE_MS) return known.signedIn;
    // Random cookies must not grow the map: only live sessions stay, and only for the cache time.
    if (recent.size >= 1000) for (const [key, entry] of recent) if (at - entry.readAt >= SESSION_CACHE_MS) recent.delete(key);
    const signedIn = read(idHash);
    recent.set(idHash, { readAt: at, signedIn });
    const drop = () => {
      if (recent.get(idHash)?.signedIn === signedIn) forget(idHash);
    };
    signedIn.then((found) => {
      if (!found) drop();
    }, drop);
    return signedIn;
  }

  /** Deleted first, forgotten after: a read that began before the delete cannot keep it cached. */
  async function remove(idHash: string): Promise<void> {
    try {
      await store.deleteSession(idHash);
    } finally {
      forget(idHash);
    }
  }

  async function start(req: Request, res: Response, user: User): Promise<SignedIn> {
    const id = token();
    const at = now();
    const session: AuthSession = { idHash: hashOf(id), userId: user.id, csrfToken: token(), createdAt: at, expiresAt: new Date(at.getTime() + SESSION_TTL_MS) };
    // A session id chosen before sign-in is never kept (no fixation): drop any old one.
    const previous = readCookie(req, SESSION_COOKIE);
    if (previous) await remove(hashOf(previous));
    await store.createSession(session);
    res.cookie(SESSION_COOKIE, id, cookieOptions(req, SESSION_TTL_MS));
    return { user, session };
  }

  async function load(req: Request): Promise<SignedIn | null> {
    const id = readCookie(req, SESSION_COOKIE);
    if (!id) return null;
    const idHash = hashOf(id);
    const signedIn = await cached(idHash);
    if (!signedIn) return null;
    if (signedIn.session.expiresAt > now()) return signedIn;
    // Expired: deleted as soon as it is presented (the worker deletes those never presented again).
    await remove(idHash);
    return null;
  }

  async function end(req: Request, res: Response): Promise<void> {
    const id = readCookie(req, SESSION_COOKIE);
    if (id) await remove(hashOf(id));
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
  }

  return { start, load, end };
}

export type Sessions = ReturnType<typeof sessionStore>;

/** The synchronizer-token check for a write made with the session cookie. */
export function checkCsrf(req: Request, session: AuthSession): void {
  const body = req.body as Record<string, unknown> | undefined;
  const sent = req.get(CSRF_HEADER) ?? (typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : '');
  const expected = Buffer.from(session.csrfToken);
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError(403, 'csrf', `this write needs the session's CSRF token in the ${CSRF_HEADER} header`);
  }
}

import type { RequestHandler } from 'express';

export interface RateLimit {
  /** Requests allowed per client address within the window. */
  limit: number;
  windowMs: number;
}

/**
 * Per-address limits on the routes anyone may call without signing in, so that nobody can flood
 * the audit log or the password check from one address. Kept in this process's memory (each web
 * process counts on its own). The address is express's `req.ip`: behind a reverse proxy, set
 * TRUST_PROXY or every user shares the proxy's address and its limit.
 */
export const UNAUTHENTICATED_LIMITS = {
  signIn: { limit: 30, windowMs: 60_000 },
  evidenceLink: { limit: 30, windowMs: 60_000 },
} as const satisfies Record<string, RateLimit>;

/** Beyond this many addresses in one window, the oldest windows are dropped: memory stays bounded. */
const MOST_ADDRESSES = 10_000;

export function rateLimit(limits: RateLimit, now: () => Date): RequestHandler {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return (req, res, next) => {
    const at = now().getTime();
    const address = req.ip ?? 'unknown';
    let window = windows.get(address);
    if (!window || window.resetAt <= at) {
      if (windows.size >= MOST_ADDRESSES) {
        for (const [key, entry] of windows) if (entry.resetAt <= at) windows.delete(key);
        // Still full: the map is in insertion order, so the first keys are the oldest windows.
        for (const key of windows.keys()) {
          if (windows.size < MOST_ADDRESSES) break;
          windows.delete(key);
        }
      }
      window = { count: 0, resetAt: at + limits.windowMs };
      windows.delete(address);
      windows.set(address, window);
    }
    window.count += 1;
    if (window.count <= limits.limit) return next();
    const seconds = Math.max(1, Math.ceil((window.resetAt - at) / 1000));
    res
      .status(429)
      .set('Retry-After', String(seconds))
      .json({ error: { code: 'too_many_requests', message: `too many requests from this address: try again in ${seconds} seconds` } });
  };
}

/**
 * Bearer-token checks for the admin API, and the rate limit on failed attempts.
 * Tokens are compared in constant time via their SHA-256 digests, so length and content leak nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { sendError } from './errors.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request changes state (and so always needs the token). */
export function isMutating(req: Request): boolean {
  return !READ_METHODS.has(req.method);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Whether the request carries exactly `Authorization: Bearer <token>`. */
export function hasToken(req: Request, token: string): boolean {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(token));
}

export interface AuthOptions {
  token?: string;
  requireForReads: boolean;
  onFailure?: () => void;
}

/**
 * Refuses mutating requests (and, beyond loopback, every request) without the right token.
 * @example app.use('/api', requireToken({ token, requireForReads: false }));
 */
export function requireToken(options: AuthOptions): RequestHandler {
  return (req, res, next) => {
    if (!isMutating(req) && !options.requireForReads) return next();
    if (!options.token) {
      options.onFailure?.();
      return sendError(res, 401, 'auth-not-configured', 'This route needs an admin token, but the server has none.', 'Set `TOUCHTONE_TOKEN` or `http.token` and restart.');
    }
    if (hasToken(req, options.token)) return next();
    options.onFailure?.();
    res.set('WWW-Authenticate', 'Bearer realm="touchtone"');
    return sendError(res, 401, 'auth-required', `The request to \`${req.method} ${req.path}\` has no valid bearer token.`, 'Send `Authorization: Bearer <token>` with the admin token.');
  };
}

/** Probes a supervisor or a scraper polls: a lockout must not turn them into 429s (`/health` needs no token at all). */
const PROBES = new Set(['/ready', '/metrics']);

/**
 * Counts refused requests (401) that carried credentials, per client; past the limit, that client's requests with
 * credentials get 429 until the window ends, which makes guessing the token slow. Requests without credentials
 * guess nothing and are never limited. `/ready` and `/metrics` are not limited either: a locked-out client's token is
 * not checked there (that would let it guess on), so they answer as to a client without one (served on loopback, 401
 * beyond it, until the window ends).
 */
export function authFailureLimiter(limit: number, windowMs: number, options: { requireForReads: boolean }): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skip: (req) => !req.get('authorization'),
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    skipSuccessfulRequests: true,
    handler: (req, res, next) => {
      // Mounted on each probe's path, so the probe is the base URL here.
      if (!PROBES.has(req.baseUrl)) return sendError(res, 429, 'auth-rate-limited', 'Too many requests with a wrong token from this address.', 'Wait a few minutes, then retry with the right token.');
      if (!options.requireForReads) return next();
      res.set('WWW-Authenticate', 'Bearer realm="touchtone"');
      sendError(res, 401, 'auth-required', `The request to \`${req.method} ${req.baseUrl}\` has no valid bearer token.`, 'Send `Authorization: Bearer <token>` with the admin token.');
    },
  });
}

import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Principal } from '../access/principal.js';
import { authenticate } from '../auth/service.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { errorBody } from './errors.js';

export const SESSION_COOKIE = 'dd_session';

/** Routes reachable without a session: logging in and the first-run notice. */
const PUBLIC_ROUTES = new Set(['GET /setup', 'GET /session', 'POST /session', 'DELETE /session']);

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      // A malformed value, perhaps planted by another site on the same host, is no session.
      return undefined;
    }
  }
  return undefined;
}

function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

interface AuthState {
  principal: Principal;
  via: 'session' | 'token';
  sessionExpiresAt?: number;
}

/**
 * Authenticates every API request before any route runs, so a route added
 * later is protected unless it is listed in PUBLIC_ROUTES.
 */
export function authMiddleware(services: Services): RequestHandler {
  return (req, res, next) => {
    const bearer = bearerToken(req);
    const result = authenticate(services.auth, {
      sessionToken: readCookie(req, SESSION_COOKIE),
      bearerToken: bearer,
    });
    if (result) {
      const state: AuthState = { ...result, via: bearer ? 'token' : 'session' };
      res.locals.auth = state;
    } else if (!PUBLIC_ROUTES.has(`${req.method} ${req.path}`)) {
      const message = bearer
        ? 'The API token is invalid or revoked'
        : 'Log in first: this request has no valid session';
      res.status(401).json(errorBody(new AppError(401, 'unauthenticated', message)));
      return;
    }
    next();
  };
}

/** The caller of an authenticated route. A route without one is a bug in its mounting. */
export function principalOf(res: Response): Principal {
  const state = res.locals.auth as AuthState | undefined;
  if (!state)
    throw new AppError(401, 'unauthenticated', 'Log in first: this request has no valid session');
  return state.principal;
}

export function authStateOf(res: Response): AuthState | undefined {
  return res.locals.auth as AuthState | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state changes that a browser sent from another site with the
 * session cookie. SameSite=Strict already withholds the cookie there; this
 * is the second layer (Fetch Metadata, then Origin). Token requests carry no
 * ambient credentials and are not checked.
 */
export const crossSiteGuard: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method) || authStateOf(res)?.via === 'token') {
    next();
    return;
  }
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const ownOrigin = `${req.protocol}://${req.headers.host ?? ''}`;
  const crossSite = site
    ? site !== 'same-origin' && site !== 'none'
    : Boolean(origin && origin !== ownOrigin);
  if (crossSite) {
    const error = new AppError(
      403,
      'cross_site_request',
      'Cross-site requests may not change data',
    );
    res.status(403).json(errorBody(error));
    return;
  }
  next();
};

function limitHandler(message: string): RequestHandler {
  return (_req, res) => {
    res.status(429).json(errorBody(new AppError(429, 'rate_limited', message)));
  };
}

/** Failed login attempts per client address and email in 15 minutes. */
export function loginLimiter(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit,
    // Only wrong credentials count: a malformed body is not an attempt on a password.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) =>
      `${ipKeyGenerator(req.ip ?? '')}:${String((req.body as { email?: unknown })?.email ?? '').toLowerCase()}`,
    handler: limitHandler('Too many login attempts; wait 15 minutes and try again'),
  });
}

/**
 * Failed logins per client address in 15 minutes, whatever the email, so
 * one address cannot try a password against many users.
 */
export function loginAddressLimiter(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? ''),
    handler: limitHandler(
      'Too many failed logins from this address; wait 15 minutes and try again',
    ),
  });
}

/** Domain checks per caller in one minute: each one sends dozens of DNS queries. */
export function checkLimiter(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const principal = authStateOf(res)?.principal;
      if (!principal) return `ip:${ipKeyGenerator(req.ip ?? '')}`;
      return principal.kind === 'user' ? `user:${principal.userId}` : `token:${principal.tokenId}`;
    },
    handler: limitHandler('Too many domain checks; wait a minute and try again'),
  });
}

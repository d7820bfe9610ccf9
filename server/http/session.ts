import { Router, type Response } from 'express';
import { login, logout } from '../auth/service.js';
import { toPublicUser } from '../auth/users.js';
import type { Services } from '../services.js';
import {
  authStateOf,
  loginAddressLimiter,
  loginLimiter,
  readCookie,
  SESSION_COOKIE,
} from './auth.js';
import { AppError } from '../errors.js';

function setSessionCookie(res: Response, token: string, expiresAt: number, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function sessionRoutes(services: Services): Router {
  const router = Router();
  const { store } = services;

  router.get('/setup', (_req, res) => {
    res.json({
      needed: store.users.count() === 0,
      // Run from the project folder: npm does not put the `deliverability` command on PATH.
      command: 'node dist/server/cli.js setup --email you@example.com --name "Your Name"',
    });
  });

  router.get('/session', (_req, res) => {
    const state = authStateOf(res);
    if (!state || state.principal.kind !== 'user') {
      throw new AppError(401, 'unauthenticated', 'Log in first: this request has no valid session');
    }
    const user = store.users.get(state.principal.userId);
    res.json({
      user: user ? toPublicUser(user) : null,
      expiresAt: new Date(state.sessionExpiresAt ?? 0).toISOString(),
    });
  });

  router.post(
    '/session',
    loginAddressLimiter(services.auth.loginAttemptsPer15Minutes * 5),
    loginLimiter(services.auth.loginAttemptsPer15Minutes),
    async (req, res) => {
      const result = await login(services.auth, req.body);
      setSessionCookie(
        res,
        result.token,
        result.expiresAt,
        services.auth.secureCookies || req.secure,
      );
      services.logger.info({ module: 'auth', userId: result.user.id }, 'user logged in');
      res.json({
        user: toPublicUser(result.user),
        expiresAt: new Date(result.expiresAt).toISOString(),
      });
    },
  );

  router.delete('/session', (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) logout(services.auth, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return router;
}

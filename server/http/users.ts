import { Router } from 'express';
import { requireAdmin } from '../access/principal.js';
import { createApiToken, createUser, toPublicUser, updateUser } from '../auth/users.js';
import { notFound } from '../errors.js';
import type { Services } from '../services.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Users and API tokens; admins only. */
export function userRoutes(services: Services): Router {
  const router = Router();
  const { store, now } = services;

  router.get('/users', (_req, res) => {
    requireAdmin(principalOf(res));
    res.json({ users: store.users.list().map(toPublicUser) });
  });

  router.post('/users', async (req, res) => {
    const user = await createUser(store, principalOf(res), req.body, now());
    services.logger.info({ module: 'auth', userId: user.id, role: user.role }, 'user created');
    res.status(201).json({ user: toPublicUser(user) });
  });

  router.patch('/users/:id', async (req, res) => {
    const user = await updateUser(store, principalOf(res), idParam(req.params.id), req.body, now());
    services.logger.info({ module: 'auth', userId: user.id }, 'user updated');
    res.json({ user: toPublicUser(user) });
  });

  router.delete('/users/:id/sessions', (req, res) => {
    requireAdmin(principalOf(res));
    const id = idParam(req.params.id);
    if (!store.users.get(id)) throw notFound('user', id);
    res.json({ revoked: store.sessions.revokeForUser(id, now()) });
  });

  router.get('/tokens', (_req, res) => {
    requireAdmin(principalOf(res));
    res.json({
      tokens: store.tokens.list().map((token) => ({
        ...token,
        createdAt: iso(token.createdAt),
        lastUsedAt: iso(token.lastUsedAt),
        revokedAt: iso(token.revokedAt),
      })),
    });
  });

  router.post('/tokens', (req, res) => {
    const { token, record } = createApiToken(store, principalOf(res), req.body, now());
    services.logger.info({ module: 'auth', tokenId: record.id }, 'API token created');
    res.status(201).json({ token, record, note: 'The token is shown once; store it now.' });
  });

  router.delete('/tokens/:id', (req, res) => {
    requireAdmin(principalOf(res));
    const id = idParam(req.params.id);
    if (!store.tokens.get(id)) throw notFound('token', id);
    store.tokens.revoke(id, now());
    services.logger.info({ module: 'auth', tokenId: id }, 'API token revoked');
    res.status(204).end();
  });

  return router;
}

import { Router } from 'express';
import { z } from 'zod';
import { accountFor } from '../accounts/service.js';
import { notFound } from '../errors.js';
import type { Services } from '../services.js';
import { parseInput } from '../validation.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

const addSchema = z.strictObject({
  address: z.email('must be an email address'),
  reason: z.enum(['unsubscribe', 'manual'], { error: 'must be "unsubscribe" or "manual"' }),
  detail: z.string().max(500).optional(),
});

/** An account's suppression list: addresses its automated sends skip. */
export function suppressionRoutes(services: Services): Router {
  const router = Router();
  const { store, now } = services;
  const iso = (ms: number) => new Date(ms).toISOString();

  router.get('/:id/suppressions', (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'read');
    const list = store.suppressions.list(account.id);
    res.json({ suppressions: list.map((s) => ({ ...s, createdAt: iso(s.createdAt) })) });
  });

  router.post('/:id/suppressions', (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'manage');
    const input = parseInput(addSchema, req.body, 'suppression');
    const added = store.suppressions.add({
      accountId: account.id,
      address: input.address.toLowerCase(),
      reason: input.reason,
      sendId: null,
      detail: input.detail ?? null,
      createdAt: now(),
    });
    res.status(added ? 201 : 200).json({ added });
  });

  router.delete('/:id/suppressions/:address', (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'manage');
    const address = String(req.params.address).toLowerCase();
    if (!store.suppressions.remove(account.id, address)) throw notFound('suppression', address);
    services.logger.info({ module: 'suppressions', accountId: account.id }, 'suppression removed');
    res.status(204).end();
  });

  return router;
}

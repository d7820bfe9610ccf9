import { Router } from 'express';
import { z } from 'zod';
import { accountFor } from '../accounts/service.js';
import { rejectsView, senderDomainsView } from '../mandrill/sender-view.js';
import type { Services } from '../services.js';
import { parseInput } from '../validation.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

const rejectsQuery = z.strictObject({
  email: z.email('must be one email address, such as guest@example.com').optional(),
  includeExpired: z.enum(['true', 'false'], 'must be true or false').optional(),
});

/** Mandrill's own view of a Mandrill account: its sending domains and its denylist. */
export function mandrillRoutes(services: Services): Router {
  const router = Router();
  const deps = { store: services.store, api: services.mandrill, keyring: services.keyring };

  router.get('/:id/mandrill/sender-domains', async (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    res.json(await senderDomainsView(deps, account));
  });

  router.get('/:id/mandrill/rejects', async (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    const query = parseInput(rejectsQuery, req.query, 'rejects query');
    res.json(
      await rejectsView(deps, account, {
        email: query.email,
        includeExpired: query.includeExpired === 'true',
      }),
    );
  });

  return router;
}

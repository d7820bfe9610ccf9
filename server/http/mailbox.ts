import { Router } from 'express';
import { accountFor } from '../accounts/service.js';
import { mailboxStatus } from '../bounces/mailbox-status.js';
import type { Services } from '../services.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

/** Serves the state of the reader of an smtp account's mailbox, where its bounces arrive. */
export function mailboxRoutes(services: Services): Router {
  const router = Router();

  router.get('/:id/mailbox/status', (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    res.json(mailboxStatus(services.store, account));
  });

  return router;
}

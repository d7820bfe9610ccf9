import { Router } from 'express';
import type { SmtpSettings } from '../accounts/schema.js';
import { createAccount, getAccount, toPublicAccount, updateAccount } from '../accounts/service.js';
import { runDomainCheck } from '../domains/service.js';
import type { Services } from '../services.js';
import { idParam } from './params.js';

export function accountRoutes(services: Services): Router {
  const router = Router();
  const { store, now } = services;

  router.get('/', (_req, res) => {
    res.json({ accounts: store.accounts.list().map(toPublicAccount) });
  });

  router.post('/', (req, res) => {
    const account = createAccount(store, req.body, now());
    services.logger.info(
      { module: 'accounts', accountId: account.id, method: account.method },
      'account created',
    );
    res.status(201).json({ account: toPublicAccount(account) });
  });

  router.get('/:id', (req, res) => {
    res.json({ account: toPublicAccount(getAccount(store, idParam(req.params.id))) });
  });

  router.patch('/:id', (req, res) => {
    const account = updateAccount(store, idParam(req.params.id), req.body, now());
    services.logger.info(
      { module: 'accounts', accountId: account.id, method: account.method },
      'account updated',
    );
    res.json({ account: toPublicAccount(account) });
  });

  /** The domain check of the account's sending domain, with its SMTP host when it has one. */
  router.get('/:id/check', async (req, res) => {
    const account = getAccount(store, idParam(req.params.id));
    const smtp = account.method === 'smtp' ? (account.settings as SmtpSettings) : undefined;
    const check = await runDomainCheck(services.domainChecks, {
      domain: account.sendingAddress.split('@')[1],
      smtpHost: smtp?.host,
      selectors: smtp?.dkimSelectors?.join(','),
    });
    res.json({ accountId: account.id, method: account.method, check });
  });

  return router;
}

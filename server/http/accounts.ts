import { Router } from 'express';
import { accountScope, requireAccountCreator } from '../access/principal.js';
import type { SmtpSettings } from '../accounts/schema.js';
import { accountFor, createAccount, toPublicAccount, updateAccount } from '../accounts/service.js';
import { runDomainCheck } from '../domains/service.js';
import type { Services } from '../services.js';
import { checkLimiter, principalOf } from './auth.js';
import { idParam } from './params.js';

export function accountRoutes(services: Services): Router {
  const router = Router();
  const { store, now } = services;

  router.get('/', (_req, res) => {
    const scope = accountScope(principalOf(res));
    res.json({
      accounts: store.accounts.list(scope).map((a) => toPublicAccount(services.keyring, a)),
    });
  });

  router.post('/', (req, res) => {
    const principal = principalOf(res);
    requireAccountCreator(principal);
    const account = createAccount(store, services.keyring, req.body, now());
    if (principal.kind === 'user' && principal.role === 'manager') {
      // A manager's new account is theirs.
      store.users.update(principal.userId, { accountIds: [...principal.accountIds, account.id] });
    }
    services.logger.info(
      { module: 'accounts', accountId: account.id, method: account.method },
      'account created',
    );
    res.status(201).json({ account: toPublicAccount(services.keyring, account) });
  });

  router.get('/:id', (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'read');
    res.json({ account: toPublicAccount(services.keyring, account) });
  });

  router.patch('/:id', (req, res) => {
    const id = idParam(req.params.id);
    accountFor(store, principalOf(res), id, 'manage');
    const account = updateAccount(store, services.keyring, id, req.body, now());
    services.logger.info(
      { module: 'accounts', accountId: account.id, method: account.method },
      'account updated',
    );
    res.json({ account: toPublicAccount(services.keyring, account) });
  });

  /** The domain check of the account's sending domain, with its SMTP host when it has one. */
  router.get('/:id/check', checkLimiter(services.auth.domainChecksPerMinute), async (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'read');
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

import { Router } from 'express';
import { accountScope, requireAccountCreator } from '../access/principal.js';
import { accountFor, createAccount, toPublicAccount, updateAccount } from '../accounts/service.js';
import { checkAccountDomain } from '../domains/account-checks.js';
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

  router.post('/', async (req, res) => {
    const principal = principalOf(res);
    requireAccountCreator(principal);
    const account = await createAccount(store, services.keyring, req.body, now(), {
      smtp: services.checkSmtpDestination,
      imap: services.checkImapDestination,
    });
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

  router.patch('/:id', async (req, res) => {
    const id = idParam(req.params.id);
    accountFor(store, principalOf(res), id, 'manage');
    const account = await updateAccount(store, services.keyring, id, req.body, now(), {
      smtp: services.checkSmtpDestination,
      imap: services.checkImapDestination,
    });
    services.logger.info(
      { module: 'accounts', accountId: account.id, method: account.method },
      'account updated',
    );
    res.json({ account: toPublicAccount(services.keyring, account) });
  });

  /** Checks the account's sending domain now, with its SMTP host when it has one, and stores it. */
  router.get('/:id/check', checkLimiter(services.auth.domainChecksPerMinute), async (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'read');
    const deps = { store, checks: services.domainChecks, now };
    const { check, stored } = await checkAccountDomain(deps, account);
    res.json({ accountId: account.id, method: account.method, changed: stored.changed, check });
  });

  /** The stored checks of the account's domain, newest first, with their outcomes per method. */
  router.get('/:id/checks', (req, res) => {
    const account = accountFor(store, principalOf(res), idParam(req.params.id), 'read');
    const checks = store.checks
      .listForAccount(account.id, 100)
      .map(({ result: _full, ...rest }) => ({
        ...rest,
        checkedAt: new Date(rest.checkedAt).toISOString(),
      }));
    res.json({ checks });
  });

  return router;
}

import type { AccountRecord, StoredCheck, Store } from '../../db/types.js';
import type { SmtpSettings } from '../accounts/schema.js';
import type { DomainCheck } from '../checks/types.js';
import type { Logger } from '../logger.js';
import { runDomainCheck, type DomainCheckDeps } from './service.js';

export interface AccountCheckDeps {
  store: Store;
  checks: DomainCheckDeps;
  now: () => number;
}

/**
 * Checks an account's sending domain with its method's specifics (its SMTP
 * host and DKIM selectors) and stores the result, marked as changed when
 * the outcome for the account's method differs from the previous check.
 */
export async function checkAccountDomain(
  deps: AccountCheckDeps,
  account: AccountRecord,
): Promise<{ check: DomainCheck; stored: StoredCheck }> {
  const smtp = account.method === 'smtp' ? (account.settings as SmtpSettings) : undefined;
  const check = await runDomainCheck(deps.checks, {
    domain: account.sendingAddress.split('@')[1],
    smtpHost: smtp?.host,
    selectors: smtp?.dkimSelectors?.join(','),
  });
  const outcomes = Object.fromEntries(
    Object.entries(check.methods).map(([method, verdict]) => [method, verdict.outcome]),
  );
  const previous = deps.store.checks.latestForAccount(account.id);
  // The account's verdict: the outcome of the method it used then, against the one it uses now.
  const before = previous ? previous.outcomes[previous.method ?? account.method] : undefined;
  const changed = previous !== null && before !== outcomes[account.method];
  const stored = deps.store.checks.add({
    accountId: account.id,
    domain: check.domain,
    method: account.method,
    checkedAt: deps.now(),
    outcomes,
    changed,
    result: check,
  });
  return { check, stored };
}

/** Re-checks every account's domain, one after another; logs each verdict that changed. */
export async function recheckAllAccounts(deps: AccountCheckDeps, logger: Logger) {
  let checked = 0;
  let changed = 0;
  for (const account of deps.store.accounts.list()) {
    try {
      const { stored } = await checkAccountDomain(deps, account);
      checked += 1;
      if (stored.changed) {
        changed += 1;
        logger.warn(
          {
            module: 'domain-recheck',
            accountId: account.id,
            domain: stored.domain,
            outcome: stored.outcomes[account.method],
          },
          'domain verdict changed',
        );
      }
    } catch (error) {
      logger.error(
        { module: 'domain-recheck', accountId: account.id, err: error },
        'domain re-check failed',
      );
    }
  }
  logger.info({ module: 'domain-recheck', checked, changed }, 'domain re-check finished');
  return { checked, changed };
}

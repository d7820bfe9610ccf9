import type { AccountRecord, AccountScope, Role } from '../../db/types.js';
import { AppError, notFound } from '../errors.js';

/** The caller of a request: a logged-in user, or the platform's integration with an API token. */
export type Principal =
  | { kind: 'user'; userId: number; email: string; name: string; role: Role; accountIds: number[] }
  | { kind: 'token'; tokenId: number; accountIds: number[] };

/**
 * An action on an account: `read` (see it, its sends and
 * checks), `send` (send through it) or `manage` (change its settings).
 */
export type AccountAction = 'read' | 'send' | 'manage';

/** Returns the accounts a principal may see; undefined means all of them. */
export function accountScope(principal: Principal): AccountScope {
  if (principal.kind === 'user' && principal.role !== 'manager') return undefined;
  return principal.accountIds;
}

function allowed(principal: Principal, accountId: number, action: AccountAction): boolean {
  if (principal.kind === 'token') {
    return action !== 'manage' && principal.accountIds.includes(accountId);
  }
  switch (principal.role) {
    case 'admin':
      return true;
    case 'support':
      return action === 'read';
    case 'manager':
      return principal.accountIds.includes(accountId);
  }
}

/**
 * Throws unless the principal may do `action` on the account. An account
 * the principal may not see at all is reported as not found, so its
 * existence does not leak.
 */
export function authorizeAccount(
  principal: Principal,
  account: AccountRecord | null,
  id: number,
  action: AccountAction,
): AccountRecord {
  if (!account || !allowed(principal, account.id, 'read')) throw notFound('account', id);
  if (!allowed(principal, account.id, action)) {
    throw new AppError(403, 'forbidden', `Your role may not ${action} account ${id}`, {
      account: id,
      action,
    });
  }
  return account;
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'user' || principal.role !== 'admin') {
    throw new AppError(403, 'forbidden', 'Only an admin may do this');
  }
}

/** Creating accounts: admins, and managers for themselves. */
export function requireAccountCreator(principal: Principal): void {
  if (principal.kind === 'user' && (principal.role === 'admin' || principal.role === 'manager')) {
    return;
  }
  throw new AppError(403, 'forbidden', 'Only an admin or a manager may create accounts');
}

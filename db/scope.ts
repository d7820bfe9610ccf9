import type { AccountScope } from './types.js';

/**
 * Named parameters for the SQL filter `(@allAccounts OR account_id IN
 * (SELECT value FROM json_each(@accountIds)))`, so one prepared statement
 * serves every scope.
 */
export function scopeParams(scope: AccountScope): { allAccounts: number; accountIds: string } {
  return scope === undefined
    ? { allAccounts: 1, accountIds: '[]' }
    : { allAccounts: 0, accountIds: JSON.stringify(scope) };
}

export const SCOPE_FILTER =
  '(@allAccounts OR account_id IN (SELECT value FROM json_each(@accountIds)))';

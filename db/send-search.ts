import type { Database, Statement } from 'better-sqlite3';
import { scopeParams } from './scope.js';
import type { SendSearch } from './types.js';

/** The SQL condition and parameters of each filter, in a fixed order so statements repeat. */
const FILTERS: [keyof SendSearch, string][] = [
  ['accountId', 'sends.account_id = @accountId'],
  ['recipient', 'sends.recipient = @recipient COLLATE NOCASE'],
  ['recipientDomain', "sends.recipient LIKE '%@' || @recipientDomain"],
  ['sender', 'sends.header_from = @sender COLLATE NOCASE'],
  ['method', 'sends.method = @method'],
  ['state', 'sends.state = @state'],
  [
    'everState',
    'EXISTS (SELECT 1 FROM events WHERE events.send_id = sends.id AND events.state_after = @everState)',
  ],
  ['messageId', 'sends.message_id = @messageId'],
  ['from', 'sends.created_at >= @from'],
  ['to', 'sends.created_at < @to'],
  [
    'before',
    '(sends.created_at < @beforeAt OR (sends.created_at = @beforeAt AND sends.id < @beforeId))',
  ],
];

/**
 * Builds, once per combination of filters, the statement that finds sends newest first, and
 * runs it. Every value is a bound parameter; only the choice of conditions varies.
 */
export function sendSearcher(db: Database) {
  const statements = new Map<string, Statement>();
  return (search: SendSearch): unknown[] => {
    const used = FILTERS.filter(([key]) => search[key] !== undefined);
    // With a state ever held, SQLite plans the direct account lookup badly: a scope of the
    // largest account took 7 times longer in bench/reports.ts. That search keeps the form
    // that walks the newest sends and checks the scope on each.
    let scopeForm: 'all' | 'direct' | 'checked' = 'all';
    if (search.scope !== undefined)
      scopeForm = search.everState === undefined ? 'direct' : 'checked';
    const key = `${scopeForm}:${used.map(([name]) => name).join(',')}`;
    let statement = statements.get(key);
    if (!statement) {
      // A scope is its own statement, without an "all accounts" OR: with the OR, SQLite
      // cannot use the (account_id, created_at) index and reads every account's sends.
      const scopeCondition = {
        all: [],
        direct: ['sends.account_id IN (SELECT value FROM json_each(@accountIds))'],
        checked: ['(0 OR sends.account_id IN (SELECT value FROM json_each(@accountIds)))'],
      }[scopeForm];
      const conditions = [...scopeCondition, ...used.map(([, condition]) => condition)];
      if (conditions.length === 0) conditions.push('1');
      statement = db.prepare(`SELECT sends.*, accounts.name AS account_name FROM sends
        JOIN accounts ON accounts.id = sends.account_id
        WHERE ${conditions.join(' AND ')}
        ORDER BY sends.created_at DESC, sends.id DESC LIMIT @limit`);
      statements.set(key, statement);
    }
    const { before, scope, ...rest } = search;
    const params: Record<string, unknown> = { limit: search.limit };
    if (scopeForm !== 'all') params.accountIds = scopeParams(scope).accountIds;
    for (const [name] of used) {
      if (name === 'before' && before) {
        params.beforeAt = before.createdAt;
        params.beforeId = before.id;
      } else if (name !== 'before') {
        params[name] = rest[name as keyof typeof rest];
      }
    }
    return statement.all(params);
  };
}

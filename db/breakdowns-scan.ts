import type { Database } from 'better-sqlite3';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type { BreakdownRow, ReasonRow, Store } from './types.js';

// Sends that reached a server, as the summary counts them: not queued, failed or unknown.
const SENT = "state NOT IN ('queued', 'failed', 'unknown')";

/**
 * Counts per recipient domain, per account, and the bounce reasons of a period, computed by
 * scanning the sends of the period through the created_at index. The tests and the benchmark
 * compare the breakdowns from the report rows (db/breakdowns.ts) against these.
 */
export function scanBreakdownQueries(db: Database): Store['breakdowns'] {
  const counts = (key: string) =>
    db.prepare(`SELECT ${key} AS key, method,
        SUM(${SENT}) AS sent,
        SUM(state = 'delivered' OR (state = 'accepted' AND method != 'mandrill')) AS delivered,
        SUM(state = 'bounced') AS bounced,
        SUM(state = 'soft_bounced') AS soft_bounced,
        SUM(state = 'rejected') AS rejected,
        SUM(opens > 0) AS opened
      FROM sends
      WHERE created_at >= @from AND created_at < @to AND ${SCOPE_FILTER}
      GROUP BY key, method`);
  const byDomain = counts("lower(substr(recipient, instr(recipient, '@') + 1))");
  const byAccount = counts('account_id');
  const reasons = db.prepare(`SELECT reason, COUNT(*) AS count,
      SUM(state = 'bounced') AS hard, SUM(state = 'rejected') AS rejected
    FROM sends
    WHERE created_at >= @from AND created_at < @to AND reason IS NOT NULL AND ${SCOPE_FILTER}
      AND state IN ('bounced', 'soft_bounced', 'rejected', 'deferred')
    GROUP BY reason ORDER BY count DESC, reason LIMIT @limit`);
  const examples = db.prepare(`SELECT recipient, detail, status_code FROM sends
    WHERE created_at >= @from AND created_at < @to AND reason = @reason AND ${SCOPE_FILTER}
      AND state IN ('bounced', 'soft_bounced', 'rejected', 'deferred')
    ORDER BY created_at DESC LIMIT 3`);

  const toRows = (rows: Record<string, unknown>[]): BreakdownRow[] =>
    rows.map((row) => ({
      key: String(row.key),
      method: row.method as BreakdownRow['method'],
      sent: Number(row.sent),
      delivered: Number(row.delivered),
      bounced: Number(row.bounced),
      softBounced: Number(row.soft_bounced),
      rejected: Number(row.rejected),
      opened: Number(row.opened),
    }));

  return {
    byDomainAndAccount: (from, to, scope) => {
      const params = { from, to, ...scopeParams(scope) };
      return {
        byRecipientDomain: toRows(byDomain.all(params) as Record<string, unknown>[]),
        byAccount: toRows(byAccount.all(params) as Record<string, unknown>[]),
      };
    },
    topReasons(from, to, scope, limit) {
      const params = { from, to, ...scopeParams(scope) };
      const rows = reasons.all({ ...params, limit }) as {
        reason: string;
        count: number;
        hard: number;
        rejected: number;
      }[];
      return rows.map((row): ReasonRow => ({
        ...row,
        examples: (
          examples.all({ ...params, reason: row.reason }) as {
            recipient: string;
            detail: string | null;
            status_code: string | null;
          }[]
        ).map((e) => ({ recipient: e.recipient, detail: e.detail, status: e.status_code })),
      }));
    },
  };
}

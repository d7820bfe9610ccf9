import type { Database, Statement } from 'better-sqlite3';
import { REPORT_STATES } from './migrations/report-sql.js';
import { periodParts, type PeriodParts, type Range } from './period-parts.js';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type { AccountScope, BreakdownRow, Method, ReasonRow, Store } from './types.js';

// Sends that reached a server, as the summary counts them: not queued, failed or unknown.
const SENT_STATES = REPORT_STATES.filter(
  (state) => !['queued', 'failed', 'unknown'].includes(state),
);
/** The states a breakdown row needs on its own, after the count of sends that reached a server. */
const ROW_STATES = ['accepted', 'delivered', 'bounced', 'soft_bounced', 'rejected'];
// Only the sums a row needs: summing fewer columns makes a 90-day read about a fifth faster.
const TABLE_SUMS = [
  `SUM(${SENT_STATES.join(' + ')})`,
  ...ROW_STATES.map((state) => `SUM(${state})`),
  'SUM(opened)',
].join(', ');
const SCANNED_SUMS = [
  `SUM(state IN (${SENT_STATES.map((state) => `'${state}'`).join(', ')}))`,
  ...ROW_STATES.map((state) => `SUM(state = '${state}')`),
  'SUM(opens > 0)',
].join(', ');
// The account filter of a scope, written so that SQLite looks each account up in the key.
const IN_SCOPE = 'account_id IN (SELECT value FROM json_each(@accountIds)) AND';
const DOMAIN = "lower(substr(recipient, instr(recipient, '@') + 1))";
const FAILURE_STATES = ['bounced', 'soft_bounced', 'rejected', 'deferred'];

/** A summed row: the key, the method, the sends that reached a server, ROW_STATES, opened. */
type CountsRow = [string | number, Method, ...number[]];

/**
 * The report tables of one breakdown, for the whole weeks, days and hours of a period. Reads
 * limited to some accounts take the weeks from a day table, whose rows for a few accounts are
 * few already.
 */
interface Source {
  /** The key column of the tables. */
  key: string;
  weeks: { platform: string; scoped: string };
  days: { platform: string; scoped: string };
  hours: { platform: string; scoped: string };
}

const SOURCES: Record<'domain' | 'account', Source> = {
  domain: {
    key: 'recipient_domain',
    weeks: { platform: 'report_domain_weeks', scoped: 'report_account_domain_days' },
    days: { platform: 'report_domain_days', scoped: 'report_account_domain_days' },
    hours: { platform: 'report_domain_hours', scoped: 'report_hours' },
  },
  account: {
    key: 'account_id',
    weeks: { platform: 'report_account_weeks', scoped: 'report_account_days' },
    days: { platform: 'report_account_days', scoped: 'report_account_days' },
    hours: { platform: 'report_account_hours', scoped: 'report_account_hours' },
  },
};

/** Folds summed rows into one breakdown row per key and method. */
function toBreakdownRows(rows: CountsRow[]): BreakdownRow[] {
  const totals = new Map<string, CountsRow>();
  for (const row of rows) {
    const id = `${row[1]}:${row[0]}`;
    const into = totals.get(id);
    if (!into) totals.set(id, [...row]);
    else for (let i = 2; i < row.length; i += 1) into[i] = (into[i] as number) + (row[i] as number);
  }
  return [...totals.values()].map((row) => {
    const count = (state: string) => row[3 + ROW_STATES.indexOf(state)] as number;
    const method = row[1];
    return {
      key: String(row[0]),
      method,
      sent: row[2] as number,
      delivered: count('delivered') + (method === 'mandrill' ? 0 : count('accepted')),
      bounced: count('bounced'),
      softBounced: count('soft_bounced'),
      rejected: count('rejected'),
      opened: row[3 + ROW_STATES.length] as number,
    };
  });
}

/** Reads one breakdown's counts of the whole days and the whole hours of a period. */
function tableReader(db: Database, source: Source) {
  const tableRows = (table: string, filter: string) =>
    db
      .prepare(
        `SELECT ${source.key}, method, ${TABLE_SUMS} FROM ${table}
        WHERE ${filter} bucket_start >= @from AND bucket_start < @to GROUP BY 1, 2`,
      )
      .raw();
  const statements = Object.fromEntries(
    (['weeks', 'days', 'hours'] as const).map((part) => [
      part,
      {
        platform: tableRows(source[part].platform, ''),
        scoped: tableRows(source[part].scoped, IN_SCOPE),
      },
    ]),
  ) as Record<'weeks' | 'days' | 'hours', Record<'platform' | 'scoped', Statement>>;
  return (parts: PeriodParts, scope: AccountScope): CountsRow[] => {
    const kind = scope === undefined ? 'platform' : 'scoped';
    const scopeArgs = scope === undefined ? {} : { accountIds: scopeParams(scope).accountIds };
    const read = (statement: Statement, [start, end]: Range) =>
      statement.all({ from: start, to: end, ...scopeArgs }) as CountsRow[];
    return [
      ...(parts.weeks ? read(statements.weeks[kind], parts.weeks) : []),
      ...parts.days.flatMap((range) => read(statements.days[kind], range)),
      ...parts.hours.flatMap((range) => read(statements.hours[kind], range)),
    ];
  };
}

/**
 * Reads the breakdowns by recipient domain and by account of a period. The whole days and
 * hours come from the report tables. The minutes left at either end come from one scan of
 * `sends` grouped by account, domain and method, which both breakdowns fold.
 */
function domainAndAccountReader(db: Database) {
  const domains = tableReader(db, SOURCES.domain);
  const accounts = tableReader(db, SOURCES.account);
  const minutes = db
    .prepare(
      `SELECT account_id, ${DOMAIN}, method, ${SCANNED_SUMS} FROM sends
      WHERE created_at >= @from AND created_at < @to AND ${SCOPE_FILTER} GROUP BY 1, 2, 3`,
    )
    .raw();
  return (from: number, to: number, scope: AccountScope) => {
    const parts = periodParts(from, to);
    const scanned = parts.minutes.flatMap(
      ([start, end]) =>
        minutes.all({ from: start, to: end, ...scopeParams(scope) }) as [
          number,
          string,
          Method,
          ...number[],
        ][],
    );
    const byDomain = scanned.map(([, domain, ...rest]): CountsRow => [domain, ...rest]);
    const byAccount = scanned.map(([account, , ...rest]): CountsRow => [account, ...rest]);
    return {
      byRecipientDomain: toBreakdownRows([...domains(parts, scope), ...byDomain]),
      byAccount: toBreakdownRows([...accounts(parts, scope), ...byAccount]),
    };
  };
}

/** Reads the top bounce reasons of a period: whole days from the day tables, the rest from sends. */
function reasonReader(db: Database) {
  const sums = FAILURE_STATES.map((state) => `SUM(${state})`).join(', ');
  const dayRows = (table: string, filter: string) =>
    db
      .prepare(
        `SELECT reason, ${sums} FROM ${table}
        WHERE ${filter} bucket_start >= @from AND bucket_start < @to GROUP BY 1`,
      )
      .raw();
  const days = {
    platform: dayRows('report_reason_days', ''),
    scoped: dayRows('report_account_reason_days', IN_SCOPE),
  };
  const scanned = FAILURE_STATES.map((state) => `SUM(state = '${state}')`).join(', ');
  // The partial index on the sends that have a reason keeps this to the failures of the range.
  const rest = db
    .prepare(
      `SELECT reason, ${scanned} FROM sends
      WHERE reason IS NOT NULL AND created_at >= @from AND created_at < @to AND ${SCOPE_FILTER}
      GROUP BY 1`,
    )
    .raw();
  return (from: number, to: number, scope: AccountScope) => {
    const parts = periodParts(from, to);
    const kind = scope === undefined ? 'platform' : 'scoped';
    const scopeArgs = scope === undefined ? {} : { accountIds: scopeParams(scope).accountIds };
    const rows: [string, ...number[]][] = [
      // The weeks are whole days too, and a day table of reasons is small enough to read.
      ...([...(parts.weeks ? [parts.weeks] : []), ...parts.days].flatMap(([start, end]) =>
        days[kind].all({ from: start, to: end, ...scopeArgs }),
      ) as [string, ...number[]][]),
      ...([...parts.hours, ...parts.minutes].flatMap(([start, end]) =>
        rest.all({ from: start, to: end, ...scopeParams(scope) }),
      ) as [string, ...number[]][]),
    ];
    const totals = new Map<
      string,
      { bounced: number; softBounced: number; rejected: number; deferred: number }
    >();
    for (const [reason, bounced, softBounced, rejected, deferred] of rows) {
      const total = totals.get(reason) ?? { bounced: 0, softBounced: 0, rejected: 0, deferred: 0 };
      total.bounced += bounced ?? 0;
      total.softBounced += softBounced ?? 0;
      total.rejected += rejected ?? 0;
      total.deferred += deferred ?? 0;
      totals.set(reason, total);
    }
    return totals;
  };
}

/**
 * Counts per recipient domain, per account, and the bounce reasons of a period, from the
 * report rows (migration 9). The counts are the same as those of a scan of the period's sends
 * (db/breakdowns-scan.ts).
 */
export function breakdownQueries(db: Database): Store['breakdowns'] {
  const byDomainAndAccount = domainAndAccountReader(db);
  const reasons = reasonReader(db);
  // The index on (reason, created_at) of the sends with a reason finds the latest at once.
  const examples = db.prepare(`SELECT recipient, detail, status_code FROM sends
    WHERE reason = @reason AND created_at >= @from AND created_at < @to AND ${SCOPE_FILTER}
      AND state IN ('bounced', 'soft_bounced', 'rejected', 'deferred')
    ORDER BY created_at DESC LIMIT 3`);

  return {
    byDomainAndAccount,
    topReasons(from, to, scope, limit) {
      const top = [...reasons(from, to, scope)]
        .map(([reason, t]) => ({
          reason,
          count: t.bounced + t.softBounced + t.rejected + t.deferred,
          hard: t.bounced,
          rejected: t.rejected,
        }))
        .filter((row) => row.count > 0)
        .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1))
        .slice(0, limit);
      const params = { from, to, ...scopeParams(scope) };
      return top.map((row): ReasonRow => {
        const found = examples.all({ ...params, reason: row.reason }) as {
          recipient: string;
          detail: string | null;
          status_code: string | null;
        }[];
        const shown = found.map((e) => ({
          recipient: e.recipient,
          detail: e.detail,
          status: e.status_code,
        }));
        return { ...row, examples: shown };
      });
    },
  };
}

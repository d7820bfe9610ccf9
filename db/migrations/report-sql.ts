/**
 * The report aggregates' tables and count columns, each defined twice: as SQL over a row of
 * `sends` (for the tables, the backfill and the triggers of migration 7) and as a function of
 * a send's fields (for db/report-counts.ts, which keeps the rows current since migration 8).
 * Migrations call the SQL generators with the count columns of their own version, so a
 * shipped migration's SQL stays the same when later versions add columns.
 */

// NOTE: a send in a state outside this list is not counted. SendState in db/types.ts lists
// these ten, and only they are written.
export const REPORT_STATES = [
  'queued',
  'accepted',
  'delivered',
  'deferred',
  'soft_bounced',
  'bounced',
  'rejected',
  'failed',
  'unknown',
  'suppressed',
] as const;

/** The fields of a send that decide its report rows and what it adds there. */
export interface CountedSend {
  accountId: number;
  method: string;
  recipient: string;
  createdAt: number;
  state: string;
  opens: number;
  clicks: number;
  complaints: number;
  unsubscribes: number;
  reason: string | null;
  opensTracked: boolean;
  clicksTracked: boolean;
}

/** A count column of the report rows, with the 0 or 1 that a send adds to it. */
export interface ReportCount {
  name: string;
  /** In SQL, with `row` standing for NEW, OLD or the sends table. */
  of(row: string): string;
  /** The same for a send held in memory. */
  value(send: CountedSend): boolean;
}

export interface ReportTable {
  name: string;
  keys: string[];
  /** The key values of a send, with `row` standing for NEW, OLD or the sends table. */
  values(row: string): string[];
  /**
   * The same key values for a send held in memory, or null for a send the table leaves out.
   * `parts` holds the send's hour, day and recipient domain, computed once for all tables.
   */
  key(send: CountedSend, parts: KeyParts): (string | number)[] | null;
  /** In SQL, the sends the table counts, when it leaves some out. */
  where?(row: string): string;
  /** The finer table whose rows the backfill sums, with this table's key values over them. */
  sumOf?: { table: string; values: string[] };
}

/** One count per state, then whether the send was opened, clicked or complained about. */
export const STATE_AND_FLAG_COUNTS: ReportCount[] = [
  ...REPORT_STATES.map((state) => ({
    name: state,
    of: (row: string) => `(${row}.state = '${state}')`,
    value: (send: CountedSend) => send.state === state,
  })),
  { name: 'opened', of: (row) => `(${row}.opens > 0)`, value: (send) => send.opens > 0 },
  { name: 'clicked', of: (row) => `(${row}.clicks > 0)`, value: (send) => send.clicks > 0 },
  {
    name: 'complained',
    of: (row) => `(${row}.complaints > 0)`,
    value: (send) => send.complaints > 0,
  },
];

const COUNTED_AS_DELIVERED = ['accepted', 'delivered'];
const DELIVERED_SQL = "IN ('accepted', 'delivered')";

/**
 * The counts of migration 9: the sends unsubscribed at least once, and for the default and smtp
 * open and click rates, the sends that carried the open pixel (or tracked links) and count as
 * delivered for those methods (accepted or delivered), and how many of them were opened (or
 * clicked).
 */
export const ENGAGEMENT_COUNTS: ReportCount[] = [
  {
    name: 'unsubscribed',
    of: (row) => `(${row}.unsubscribes > 0)`,
    value: (send) => send.unsubscribes > 0,
  },
  {
    name: 'open_tracked_delivered',
    of: (row) => `(${row}.opens_tracked AND ${row}.state ${DELIVERED_SQL})`,
    value: (send) => send.opensTracked && COUNTED_AS_DELIVERED.includes(send.state),
  },
  {
    name: 'open_tracked_opened',
    of: (row) => `(${row}.opens_tracked AND ${row}.state ${DELIVERED_SQL} AND ${row}.opens > 0)`,
    value: (send) =>
      send.opensTracked && COUNTED_AS_DELIVERED.includes(send.state) && send.opens > 0,
  },
  {
    name: 'click_tracked_delivered',
    of: (row) => `(${row}.clicks_tracked AND ${row}.state ${DELIVERED_SQL})`,
    value: (send) => send.clicksTracked && COUNTED_AS_DELIVERED.includes(send.state),
  },
  {
    name: 'click_tracked_clicked',
    of: (row) => `(${row}.clicks_tracked AND ${row}.state ${DELIVERED_SQL} AND ${row}.clicks > 0)`,
    value: (send) =>
      send.clicksTracked && COUNTED_AS_DELIVERED.includes(send.state) && send.clicks > 0,
  },
];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const hour = (row: string) => `${row}.created_at - ${row}.created_at % ${HOUR_MS}`;
// Weeks are counted from the Unix epoch, a Thursday, so a week runs from Thursday 00:00 UTC.
const WEEK_MS = 7 * DAY_MS;
const day = (row: string) => `${row}.created_at - ${row}.created_at % ${DAY_MS}`;
const week = (row: string) => `${row}.created_at - ${row}.created_at % ${WEEK_MS}`;
const dayOfBucket = 'bucket_start - bucket_start % ' + DAY_MS;
const weekOfBucket = 'bucket_start - bucket_start % ' + WEEK_MS;
const domain = (row: string) => `lower(substr(${row}.recipient, instr(${row}.recipient, '@') + 1))`;

/**
 * The recipient domain as `domain()` computes it in SQL: the text after the first `@` (all of
 * it when there is none), with SQLite's lower(), which changes only ASCII letters.
 */
export function recipientDomain(recipient: string): string {
  return recipient
    .slice(recipient.indexOf('@') + 1)
    .replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** The parts of a send's report keys that take work to compute. */
export interface KeyParts {
  hour: number;
  day: number;
  week: number;
  domain: string;
}

/** Computes the hour, day and week as the SQL above does, where % also truncates toward zero. */
export function keyParts(send: CountedSend): KeyParts {
  return {
    hour: send.createdAt - (send.createdAt % HOUR_MS),
    day: send.createdAt - (send.createdAt % DAY_MS),
    week: send.createdAt - (send.createdAt % WEEK_MS),
    domain: recipientDomain(send.recipient),
  };
}

/** The hour tables of migration 7, finest first: the backfill sums the coarser from the finer. */
export const HOUR_TABLES: ReportTable[] = [
  {
    name: 'report_hours',
    keys: ['account_id', 'bucket_start', 'method', 'recipient_domain'],
    values: (row) => [`${row}.account_id`, hour(row), `${row}.method`, domain(row)],
    key: (send, parts) => [send.accountId, parts.hour, send.method, parts.domain],
  },
  {
    name: 'report_account_hours',
    keys: ['account_id', 'bucket_start', 'method'],
    values: (row) => [`${row}.account_id`, hour(row), `${row}.method`],
    key: (send, parts) => [send.accountId, parts.hour, send.method],
    sumOf: { table: 'report_hours', values: ['account_id', 'bucket_start', 'method'] },
  },
  {
    name: 'report_platform_hours',
    keys: ['bucket_start', 'method'],
    values: (row) => [hour(row), `${row}.method`],
    key: (send, parts) => [parts.hour, send.method],
    sumOf: { table: 'report_hours', values: ['bucket_start', 'method'] },
  },
];

/**
 * The tables of migration 9, for the breakdowns: per hour and recipient domain over all
 * accounts, for the whole hours at the ends of a period; day tables for the whole days: per
 * account, per account and recipient domain, per recipient domain, and per bounce reason (of
 * the sends that have one) per account and over all accounts; and week tables per account and
 * per recipient domain, so that a breakdown over all accounts reads 13 rows per key for 90
 * days. Each is summed from an earlier table when backfilled, except the reason tables.
 */
export const BREAKDOWN_TABLES: ReportTable[] = [
  {
    name: 'report_domain_hours',
    keys: ['bucket_start', 'method', 'recipient_domain'],
    values: (row) => [hour(row), `${row}.method`, domain(row)],
    key: (send, parts) => [parts.hour, send.method, parts.domain],
    sumOf: { table: 'report_hours', values: ['bucket_start', 'method', 'recipient_domain'] },
  },
  {
    name: 'report_account_days',
    keys: ['account_id', 'bucket_start', 'method'],
    values: (row) => [`${row}.account_id`, day(row), `${row}.method`],
    key: (send, parts) => [send.accountId, parts.day, send.method],
    sumOf: { table: 'report_account_hours', values: ['account_id', dayOfBucket, 'method'] },
  },
  {
    name: 'report_account_domain_days',
    keys: ['account_id', 'bucket_start', 'method', 'recipient_domain'],
    values: (row) => [`${row}.account_id`, day(row), `${row}.method`, domain(row)],
    key: (send, parts) => [send.accountId, parts.day, send.method, parts.domain],
    sumOf: {
      table: 'report_hours',
      values: ['account_id', dayOfBucket, 'method', 'recipient_domain'],
    },
  },
  {
    name: 'report_domain_days',
    keys: ['bucket_start', 'method', 'recipient_domain'],
    values: (row) => [day(row), `${row}.method`, domain(row)],
    key: (send, parts) => [parts.day, send.method, parts.domain],
    sumOf: {
      table: 'report_account_domain_days',
      values: ['bucket_start', 'method', 'recipient_domain'],
    },
  },
  {
    name: 'report_account_weeks',
    keys: ['account_id', 'bucket_start', 'method'],
    values: (row) => [`${row}.account_id`, week(row), `${row}.method`],
    key: (send, parts) => [send.accountId, parts.week, send.method],
    sumOf: { table: 'report_account_days', values: ['account_id', weekOfBucket, 'method'] },
  },
  {
    name: 'report_domain_weeks',
    keys: ['bucket_start', 'method', 'recipient_domain'],
    values: (row) => [week(row), `${row}.method`, domain(row)],
    key: (send, parts) => [parts.week, send.method, parts.domain],
    sumOf: {
      table: 'report_domain_days',
      values: [weekOfBucket, 'method', 'recipient_domain'],
    },
  },
  {
    name: 'report_account_reason_days',
    keys: ['account_id', 'bucket_start', 'method', 'reason'],
    values: (row) => [`${row}.account_id`, day(row), `${row}.method`, `${row}.reason`],
    key: (send, parts) =>
      send.reason === null ? null : [send.accountId, parts.day, send.method, send.reason],
    where: (row) => `${row}.reason IS NOT NULL`,
  },
  {
    name: 'report_reason_days',
    keys: ['bucket_start', 'method', 'reason'],
    values: (row) => [day(row), `${row}.method`, `${row}.reason`],
    key: (send, parts) => (send.reason === null ? null : [parts.day, send.method, send.reason]),
    where: (row) => `${row}.reason IS NOT NULL`,
    sumOf: { table: 'report_account_reason_days', values: ['bucket_start', 'method', 'reason'] },
  },
];

/** Every report table, in the order the backfill fills them. */
export const REPORT_TABLES: ReportTable[] = [...HOUR_TABLES, ...BREAKDOWN_TABLES];

export function createTableSql(table: ReportTable, counts: ReportCount[]): string {
  const keyColumns = table.keys.map(
    (key) =>
      `${key} ${['method', 'recipient_domain', 'reason'].includes(key) ? 'TEXT' : 'INTEGER'} NOT NULL`,
  );
  const countColumns = counts.map((count) => `${count.name} INTEGER NOT NULL DEFAULT 0`);
  return `CREATE TABLE ${table.name} (
  ${[...keyColumns, ...countColumns].join(',\n  ')},
  PRIMARY KEY (${table.keys.join(', ')})
) WITHOUT ROWID;`;
}

/**
 * An INSERT that fills the table from the sends, or by summing the rows of the finer table
 * named in `sumOf`, which is faster than grouping the sends again.
 */
export function backfillSql(table: ReportTable, counts: ReportCount[]): string {
  const names = counts.map((count) => count.name);
  const columns = [...table.keys, ...names].join(', ');
  const groupBy = table.keys.map((_, i) => i + 1).join(', ');
  if (table.sumOf) {
    const sums = names.map((name) => `SUM(${name})`);
    return `INSERT INTO ${table.name} (${columns})
  SELECT ${[...table.sumOf.values, ...sums].join(', ')} FROM ${table.sumOf.table} GROUP BY ${groupBy};`;
  }
  const sums = counts.map((count) => `SUM(${count.of('sends')})`);
  const where = table.where ? ` WHERE ${table.where('sends')}` : '';
  return `INSERT INTO ${table.name} (${columns})
  SELECT ${[...table.values('sends'), ...sums].join(', ')} FROM sends${where} GROUP BY ${groupBy};`;
}

/** An UPSERT that adds the send NEW to its row. */
function addNew(table: ReportTable, counts: ReportCount[]): string {
  const names = counts.map((count) => count.name);
  const updates = names.map((name) => `${name} = ${name} + excluded.${name}`);
  return `INSERT INTO ${table.name} (${[...table.keys, ...names].join(', ')})
    VALUES (${[...table.values('NEW'), ...counts.map((count) => count.of('NEW'))].join(', ')})
    ON CONFLICT DO UPDATE SET ${updates.join(', ')};`;
}

/** An UPDATE of the row of `row`'s key that adds `plus` and subtracts `minus` (NEW or OLD). */
function change(
  table: ReportTable,
  counts: ReportCount[],
  row: string,
  plus: string | null,
  minus: string | null,
): string {
  const updates = counts.map((count) => {
    const terms = [plus ? ` + ${count.of(plus)}` : '', minus ? ` - ${count.of(minus)}` : ''];
    return `${count.name} = ${count.name}${terms.join('')}`;
  });
  const values = table.values(row);
  const where = table.keys.map((key, i) => `${key} = ${values[i]}`);
  return `UPDATE ${table.name} SET ${updates.join(', ')} WHERE ${where.join(' AND ')};`;
}

const SAME_KEY = `OLD.account_id = NEW.account_id AND OLD.method = NEW.method
    AND OLD.recipient = NEW.recipient AND OLD.created_at = NEW.created_at`;

/**
 * Whether the send's counts differ between OLD and NEW. The state columns all follow from
 * `state`, so one comparison stands for them.
 */
function countsChanged(counts: ReportCount[]): string {
  const states = new Set<string>(REPORT_STATES);
  const others = counts.filter((count) => !states.has(count.name));
  const same = ['OLD.state = NEW.state', ...others.map((c) => `${c.of('OLD')} = ${c.of('NEW')}`)];
  return `NOT (${same.join(' AND ')})`;
}

/**
 * The four triggers that keep the report rows current: insert, delete, an update that
 * changes the counts, and an update that moves the send to another key. They run inside the
 * statement that changes the send, so the counts commit or roll back with it.
 */
export function triggersSql(tables: ReportTable[], counts: ReportCount[]): string {
  const each = (statement: (table: ReportTable) => string) =>
    tables.map((table) => `  ${statement(table)}`).join('\n');
  const when = (condition?: string) => (condition ? `\n  WHEN ${condition}` : '');
  const watched = 'state, opens, clicks, complaints, account_id, method, recipient, created_at';
  return `CREATE TRIGGER sends_report_insert AFTER INSERT ON sends${when()} BEGIN
${each((table) => addNew(table, counts))}
END;

${deleteTriggerSql(tables, counts)}

CREATE TRIGGER sends_report_update AFTER UPDATE OF ${watched} ON sends${when(`${SAME_KEY} AND ${countsChanged(counts)}`)} BEGIN
${each((table) => change(table, counts, 'NEW', 'NEW', 'OLD'))}
END;

CREATE TRIGGER sends_report_rekey AFTER UPDATE OF ${watched} ON sends${when(`NOT (${SAME_KEY})`)} BEGIN
${each((table) => change(table, counts, 'OLD', null, 'OLD'))}
${each((table) => addNew(table, counts))}
END;`;
}

/**
 * The trigger that takes a deleted send out of its rows. A row keyed by a NULL value (the
 * reason of a send without one) matches no row, so tables that leave such sends out need no
 * condition of their own.
 */
export function deleteTriggerSql(tables: ReportTable[], counts: ReportCount[]): string {
  const updates = tables.map((table) => `  ${change(table, counts, 'OLD', null, 'OLD')}`);
  return `CREATE TRIGGER sends_report_delete AFTER DELETE ON sends BEGIN
${updates.join('\n')}
END;`;
}

/**
 * An UPSERT that adds a change to one row of the table: the key values, then one number per
 * count column, as positional parameters.
 */
export function addDeltasSql(table: ReportTable, counts: ReportCount[]): string {
  const names = counts.map((count) => count.name);
  const columns = [...table.keys, ...names];
  const updates = names.map((name) => `${name} = ${name} + excluded.${name}`);
  return `INSERT INTO ${table.name} (${columns.join(', ')})
  VALUES (${columns.map(() => '?').join(', ')})
  ON CONFLICT DO UPDATE SET ${updates.join(', ')}`;
}

/** The count columns of the report rows in the newest schema. */
export const CURRENT_REPORT_COUNTS = [...STATE_AND_FLAG_COUNTS, ...ENGAGEMENT_COUNTS];

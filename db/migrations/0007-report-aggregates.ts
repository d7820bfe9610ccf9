/**
 * Report aggregates: counts of sends per hour of creation, kept up to date by triggers on
 * `sends`, so the dashboard sums a few rows per hour instead of scanning the sends.
 *
 * Each row counts the sends of its key in each state, one column per state, with how many of
 * them were opened, clicked or complained about at least once. State columns, not a state in
 * the key, give fewer rows to read (2.5 times fewer platform rows in bench/reports.ts) and make
 * a state move one UPDATE per table. Three tables, from fine to coarse:
 * - `report_hours`: per (account, hour, method, recipient domain), the detail. The benchmark's
 *   10 million sends give it one row for every two sends, too many to read fast for a report
 *   over 90 days, so the reports below read the two coarser tables.
 * - `report_account_hours`: per (account, hour, method), for reports limited to some accounts.
 * - `report_platform_hours`: per (hour, method) over every account, for unscoped reports.
 * Day reports sum the hour rows of each UTC day, so no day table is kept.
 *
 * The triggers run inside the statement that changes the send, so the counts commit or roll
 * back with it, whichever code path writes the send. A state move subtracts 1 from the old
 * state's column and adds 1 to the new one. The first open, click or complaint of a send (its
 * counter going from 0 to more) adds 1 to the matching count. Rows whose counts drop to 0 are
 * kept. The backfill fills the three tables from the existing sends.
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

const COUNTS = [...REPORT_STATES, 'opened', 'clicked', 'complained'];

interface Table {
  name: string;
  keys: string[];
  /** The key values of a send, with `row` standing for NEW, OLD or the sends table. */
  values(row: string): string[];
}

const hour = (row: string) => `${row}.created_at - ${row}.created_at % 3600000`;
const domain = (row: string) => `lower(substr(${row}.recipient, instr(${row}.recipient, '@') + 1))`;

const TABLES: Table[] = [
  {
    name: 'report_hours',
    keys: ['account_id', 'bucket_start', 'method', 'recipient_domain'],
    values: (row) => [`${row}.account_id`, hour(row), `${row}.method`, domain(row)],
  },
  {
    name: 'report_account_hours',
    keys: ['account_id', 'bucket_start', 'method'],
    values: (row) => [`${row}.account_id`, hour(row), `${row}.method`],
  },
  {
    name: 'report_platform_hours',
    keys: ['bucket_start', 'method'],
    values: (row) => [hour(row), `${row}.method`],
  },
];

/** The 0 or 1 that the send `row` adds to each count column, in COUNTS order. */
function contributions(row: string): string[] {
  return [
    ...REPORT_STATES.map((state) => `(${row}.state = '${state}')`),
    `(${row}.opens > 0)`,
    `(${row}.clicks > 0)`,
    `(${row}.complaints > 0)`,
  ];
}

function createTable(table: Table): string {
  const keyColumns = table.keys.map(
    (key) =>
      `${key} ${key === 'method' || key === 'recipient_domain' ? 'TEXT' : 'INTEGER'} NOT NULL`,
  );
  const countColumns = COUNTS.map((count) => `${count} INTEGER NOT NULL DEFAULT 0`);
  return `CREATE TABLE ${table.name} (
  ${[...keyColumns, ...countColumns].join(',\n  ')},
  PRIMARY KEY (${table.keys.join(', ')})
) WITHOUT ROWID;`;
}

/**
 * An INSERT that fills the table from the sends. The coarser tables sum the rows of
 * `report_hours` instead, which is faster than grouping the sends again.
 */
function backfill(table: Table): string {
  const columns = [...table.keys, ...COUNTS].join(', ');
  const groupBy = table.keys.map((_, i) => i + 1).join(', ');
  if (table.name !== 'report_hours') {
    const sums = COUNTS.map((count) => `SUM(${count})`);
    return `INSERT INTO ${table.name} (${columns})
  SELECT ${[...table.keys, ...sums].join(', ')} FROM report_hours GROUP BY ${groupBy};`;
  }
  const sums = contributions('sends').map((c) => `SUM(${c})`);
  return `INSERT INTO ${table.name} (${columns})
  SELECT ${[...table.values('sends'), ...sums].join(', ')} FROM sends GROUP BY ${groupBy};`;
}

/** An UPSERT that adds the send NEW to its row. */
function addNew(table: Table): string {
  const updates = COUNTS.map((count) => `${count} = ${count} + excluded.${count}`);
  return `INSERT INTO ${table.name} (${[...table.keys, ...COUNTS].join(', ')})
    VALUES (${[...table.values('NEW'), ...contributions('NEW')].join(', ')})
    ON CONFLICT DO UPDATE SET ${updates.join(', ')};`;
}

/** An UPDATE of the row of `row`'s key that adds `plus` and subtracts `minus` (NEW or OLD). */
function change(table: Table, row: string, plus: string | null, minus: string | null): string {
  const added = plus ? contributions(plus) : [];
  const subtracted = minus ? contributions(minus) : [];
  const updates = COUNTS.map((count, i) => {
    const terms = [added[i] ? ` + ${added[i]}` : '', subtracted[i] ? ` - ${subtracted[i]}` : ''];
    return `${count} = ${count}${terms.join('')}`;
  });
  const values = table.values(row);
  const where = table.keys.map((key, i) => `${key} = ${values[i]}`);
  return `UPDATE ${table.name} SET ${updates.join(', ')} WHERE ${where.join(' AND ')};`;
}

const each = (statement: (table: Table) => string) =>
  TABLES.map((table) => `  ${statement(table)}`).join('\n');

const SAME_KEY = `OLD.account_id = NEW.account_id AND OLD.method = NEW.method
    AND OLD.recipient = NEW.recipient AND OLD.created_at = NEW.created_at`;
const SAME_COUNTS = `OLD.state = NEW.state AND (OLD.opens > 0) = (NEW.opens > 0)
    AND (OLD.clicks > 0) = (NEW.clicks > 0) AND (OLD.complaints > 0) = (NEW.complaints > 0)`;
const WATCHED = 'state, opens, clicks, complaints, account_id, method, recipient, created_at';

export const sql = `
${TABLES.map(createTable).join('\n\n')}

${TABLES.map(backfill).join('\n\n')}

CREATE TRIGGER sends_report_insert AFTER INSERT ON sends BEGIN
${each(addNew)}
END;

CREATE TRIGGER sends_report_delete AFTER DELETE ON sends BEGIN
${each((table) => change(table, 'OLD', null, 'OLD'))}
END;

CREATE TRIGGER sends_report_update AFTER UPDATE OF ${WATCHED} ON sends
  WHEN ${SAME_KEY} AND NOT (${SAME_COUNTS}) BEGIN
${each((table) => change(table, 'NEW', 'NEW', 'OLD'))}
END;

CREATE TRIGGER sends_report_rekey AFTER UPDATE OF ${WATCHED} ON sends
  WHEN NOT (${SAME_KEY}) BEGIN
${each((table) => change(table, 'OLD', null, 'OLD'))}
${each(addNew)}
END;
`;

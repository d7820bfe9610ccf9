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
import {
  HOUR_TABLES,
  STATE_AND_FLAG_COUNTS,
  backfillSql,
  createTableSql,
  triggersSql,
} from './report-sql.js';

const counts = STATE_AND_FLAG_COUNTS;

export const sql = `
${HOUR_TABLES.map((table) => createTableSql(table, counts)).join('\n\n')}

${HOUR_TABLES.map((table) => backfillSql(table, counts)).join('\n\n')}

${triggersSql(HOUR_TABLES, counts)}
`;

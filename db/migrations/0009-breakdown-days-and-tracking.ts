/**
 * Adds what the breakdowns and the default and smtp open rates need:
 * - `sends.opens_tracked` and `sends.clicks_tracked`, set when a message carries the open
 *   pixel or tracked links, and five counts on every report row: the sends unsubscribed, and
 *   per kind of tracking the tracked sends that count as delivered and how many of them were
 *   opened or clicked. Sends stored before this step count as untracked, because whether they
 *   were tracked was not kept.
 * - Day tables per account, per account and recipient domain, per recipient domain, and per
 *   bounce reason, filled from the hour tables and the sends, and an hour table per recipient
 *   domain over all accounts. A breakdown over 90 days reads 90 day rows per key instead of
 *   2,160 hour rows. The whole hours at the period's ends come from hour tables: the new one
 *   for domains over all accounts, which has about 150 rows an hour where `report_hours` has
 *   one per account and domain, and `report_account_hours` through a new index on
 *   `bucket_start` for accounts.
 * - Partial indexes on the sends that have a bounce reason, for the minutes at a period's
 *   ends and for the latest examples of a reason.
 * - The delete trigger, again, over every table and count.
 */
import {
  CURRENT_REPORT_COUNTS,
  BREAKDOWN_TABLES,
  HOUR_TABLES,
  REPORT_TABLES,
  ENGAGEMENT_COUNTS,
  backfillSql,
  createTableSql,
  deleteTriggerSql,
} from './report-sql.js';

const addedCounts = HOUR_TABLES.flatMap((table) =>
  ENGAGEMENT_COUNTS.map(
    (count) => `ALTER TABLE ${table.name} ADD COLUMN ${count.name} INTEGER NOT NULL DEFAULT 0;`,
  ),
);

export const sql = `
ALTER TABLE sends ADD COLUMN opens_tracked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sends ADD COLUMN clicks_tracked INTEGER NOT NULL DEFAULT 0;
${addedCounts.join('\n')}

${BREAKDOWN_TABLES.map((table) => createTableSql(table, CURRENT_REPORT_COUNTS)).join('\n\n')}

CREATE INDEX sends_reason ON sends (reason, created_at) WHERE reason IS NOT NULL;
CREATE INDEX sends_reason_created ON sends (created_at) WHERE reason IS NOT NULL;

${BREAKDOWN_TABLES.map((table) => backfillSql(table, CURRENT_REPORT_COUNTS)).join('\n\n')}

CREATE INDEX report_account_hours_bucket ON report_account_hours (bucket_start);

DROP TRIGGER sends_report_delete;
${deleteTriggerSql(REPORT_TABLES, CURRENT_REPORT_COUNTS)}
`;

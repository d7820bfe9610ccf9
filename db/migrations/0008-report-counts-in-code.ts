/**
 * Moves the upkeep of the report rows on insert and update from triggers into db/sends.ts
 * (db/report-counts.ts), which adds each change in the same transaction as the write.
 *
 * Why: with any trigger on `sends`, SQLite runs each INSERT or UPDATE of a send in a statement
 * journal, because the foreign key on `account_id` may abort the statement after the trigger
 * has written. That cost 6 to 7 microseconds a row even for a trigger whose WHEN clause was
 * false: 20,000 inserts in one transaction took about 180 ms without triggers, 310 ms with
 * an empty one and 430 ms with these (better-sqlite3 12.11 with SQLite 3.53, a 2-core machine). Code can also
 * merge the changes of a batch: a webhook batch of 500 sends in a few hours and one domain
 * writes a few report rows once instead of 1,500 upserts.
 *
 * The delete trigger stays: nothing in the product deletes sends, and it keeps the counts
 * right if an operator does. An insert or update made outside db/sends.ts is not counted;
 * `deliverability recount-reports` rebuilds the rows from the sends.
 */
export const sql = `
DROP TRIGGER sends_report_insert;
DROP TRIGGER sends_report_update;
DROP TRIGGER sends_report_rekey;
`;

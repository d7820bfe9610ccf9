import { openStore } from '../db/index.js';
import { loadConfig } from './config.js';

/**
 * Counts every send of the configured database into new report rows. The server keeps
 * them current itself; this is for after sends were written outside it, such as by hand
 * in the sqlite3 shell.
 */
export function recountReports(): void {
  const config = loadConfig();
  const store = openStore(config.databasePath);
  try {
    const started = Date.now();
    const { sends, rows } = store.reports.rebuild();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `Counted ${sends} send${sends === 1 ? '' : 's'} into ${rows} report row${rows === 1 ? '' : 's'} in ${seconds} s.\n`,
    );
  } finally {
    store.close();
  }
}

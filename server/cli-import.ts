import { openStore } from '../db/index.js';
import { ingestBounce } from './bounces/ingest.js';
import { describeSource, readMessages, type MailSource } from './bounces/mail-sources.js';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';
import { loadKeyring } from './secrets/index.js';

export interface ImportSummary {
  messages: number;
  /** Messages stored now; the rest had been imported before and changed nothing. */
  created: number;
  duplicates: number;
  byKind: Record<string, number>;
  /** Recipients matched to a send, and bounces with no recipient matched. */
  matchedRecipients: number;
  unmatched: number;
  events: number;
  failures: { origin: string; error: string }[];
}

/** Draws a one-line progress bar on standard error, only at a terminal. */
function progressBar(totalBytes: number): (done: number, bytes: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  let last = 0;
  return (done, bytes) => {
    const now = Date.now();
    if (now - last < 100 && bytes < totalBytes) return;
    last = now;
    const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(share * 100)}% ${done} messages`,
    );
  };
}

/**
 * Imports bounce messages from .eml files, directories of them, mbox files and Maildir
 * folders into the configured database: each is classified, matched to its send and
 * recorded, as POST /api/bounces does. A message imported twice changes nothing.
 */
export async function importBounces(
  paths: string[],
  options: { account?: string; json?: boolean },
): Promise<void> {
  const sources: MailSource[] = paths.map((target) => {
    try {
      return describeSource(target);
    } catch (error) {
      throw new AppError(400, 'invalid_input', `${(error as Error).message}: nothing was imported`);
    }
  });
  const accountId = options.account === undefined ? null : Number(options.account);
  if (accountId !== null && (!Number.isInteger(accountId) || accountId < 1)) {
    throw new AppError(
      400,
      'invalid_input',
      `Invalid --account "${options.account}": give an account id such as 3`,
    );
  }
  const config = loadConfig();
  const store = openStore(config.databasePath);
  try {
    if (accountId !== null && !store.accounts.get(accountId)) {
      throw new AppError(
        404,
        'not_found',
        `Account ${accountId} does not exist: nothing was imported`,
      );
    }
    const { keyring } = loadKeyring({
      keys: config.secrets.keys ?? undefined,
      keyFile: config.secrets.keyFile ?? undefined,
      defaultKeyFile: config.secrets.defaultKeyFile,
    });
    const deps = { store, keyring, platform: config.platform, now: Date.now };
    const summary: ImportSummary = {
      messages: 0,
      created: 0,
      duplicates: 0,
      byKind: {},
      matchedRecipients: 0,
      unmatched: 0,
      events: 0,
      failures: [],
    };
    const total = sources.reduce((sum, source) => sum + source.bytes, 0);
    const draw = progressBar(total);
    let before = 0;
    for (const source of sources) {
      for await (const message of readMessages(source)) {
        summary.messages += 1;
        try {
          const result = await ingestBounce(deps, {
            raw: message.raw,
            source: 'import',
            accountId,
          });
          if (!result.created) summary.duplicates += 1;
          else {
            summary.created += 1;
            summary.byKind[result.bounce.kind] = (summary.byKind[result.bounce.kind] ?? 0) + 1;
            summary.matchedRecipients += result.bounce.matched;
            if (result.bounce.matched === 0) summary.unmatched += 1;
            summary.events += result.events;
          }
        } catch (error) {
          summary.failures.push({ origin: message.origin, error: (error as Error).message });
        }
        draw(summary.messages, before + message.bytesRead);
      }
      before += source.bytes;
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(
      options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${describe(summary)}\n`,
    );
    if (summary.failures.length > 0) process.exitCode = 1;
  } finally {
    store.close();
  }
}

function describe(summary: ImportSummary): string {
  const kinds = Object.entries(summary.byKind)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  const lines = [
    `Read ${plural(summary.messages, 'message')}: ${summary.created} imported${kinds ? ` (${kinds})` : ''}, ${summary.duplicates} imported before.`,
    `Matched ${plural(summary.matchedRecipients, 'recipient')} to sends and recorded ${plural(summary.events, 'event')}; ${plural(summary.unmatched, 'message')} matched no send and ${summary.unmatched === 1 ? 'is' : 'are'} kept for support.`,
  ];
  for (const failure of summary.failures) lines.push(`Failed: ${failure.origin}: ${failure.error}`);
  return lines.join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// The view's state in the URL query, so a view can be shared: `?days=30&domain=example.com`,
// or `?from=2026-11-01&to=2026-11-30&bucket=hour` for a custom period with hourly charts.

export const PERIOD_OPTIONS = [7, 30, 90] as const;
export const DEFAULT_DAYS = 30;
/** The maximum period of the reports API, in days (MAX_PERIOD_DAYS in server/reports/period.ts). */
export const MAX_DAYS = 366;
const BUCKETS = ['day', 'hour'] as const;

/** Parses a `days` value: a whole number of days from 1 to MAX_DAYS, or null for anything else. */
export function parseDays(value: string): number | null {
  if (!/^\d{1,3}$/.test(value)) return null;
  const days = Number(value);
  return days >= 1 && days <= MAX_DAYS ? days : null;
}

/** Returns the period in the URL, or the default when it is missing or invalid. */
export function readDays(): number {
  const days = new URLSearchParams(location.search).get('days');
  return (days === null ? null : parseDays(days)) ?? DEFAULT_DAYS;
}

/**
 * Replaces a `days` or `bucket` in the URL that the dashboard cannot show with what it shows
 * instead, and returns a message for each replaced value. An invalid `days` beside `from` or
 * `to` stays, because the server's message about the custom period names it.
 */
export function correctReportQuery(): string[] {
  const query = new URLSearchParams(location.search);
  const changes: Record<string, string | null> = {};
  const messages: string[] = [];
  const days = query.get('days');
  if (days !== null && readCustomRange() === null && parseDays(days) === null) {
    changes.days = String(DEFAULT_DAYS);
    messages.push(
      `The link's period days=${days} is not a whole number of days from 1 to ${MAX_DAYS}, ` +
        `so the last ${DEFAULT_DAYS} days are shown.`,
    );
  }
  const bucket = query.get('bucket');
  if (bucket !== null && !(BUCKETS as readonly string[]).includes(bucket)) {
    changes.bucket = null;
    messages.push(
      `The link's chart interval bucket=${bucket} is not available, because the charts ` +
        'show days or hours, so they use the default interval of the period.',
    );
  }
  updateQuery(changes, false);
  return messages;
}

/** Returns the custom period in the URL as given, or null when the URL names none. */
export function readCustomRange(): { from: string; to: string } | null {
  const query = new URLSearchParams(location.search);
  if (!query.has('from') && !query.has('to')) return null;
  return { from: query.get('from') ?? '', to: query.get('to') ?? '' };
}

/**
 * Builds the reports' API query of the period in the URL. A custom period goes to the server
 * as given, with any `days` beside it, so that the server's message names what is wrong.
 */
export function readReportQuery(): URLSearchParams {
  const url = new URLSearchParams(location.search);
  if (readCustomRange() === null) return new URLSearchParams({ days: String(readDays()) });
  const query = new URLSearchParams();
  for (const key of ['days', 'from', 'to']) {
    const value = url.get(key);
    if (value !== null) query.set(key, value);
  }
  return query;
}

/** Returns the chart bucket chosen in the URL, or null to let the server choose by period. */
export function readBucket(): (typeof BUCKETS)[number] | null {
  const bucket = new URLSearchParams(location.search).get('bucket');
  return bucket === 'day' || bucket === 'hour' ? bucket : null;
}

export function readDomainQuery(): { domain: string; smtpHost: string } | null {
  const query = new URLSearchParams(location.search);
  const domain = query.get('domain');
  return domain ? { domain, smtpHost: query.get('smtpHost') ?? '' } : null;
}

/**
 * Updates the URL query with `changes`, where null removes a key, and so does an empty string
 * unless `keepEmpty` is true. Adds a history entry when `push` is true, so the back button
 * returns to the previous view.
 */
export function updateQuery(
  changes: Record<string, string | null>,
  push: boolean,
  keepEmpty = false,
): void {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || (value === '' && !keepEmpty)) url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  if (url.href === location.href) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// The view's state in the URL query, so a view can be shared: `?days=30&domain=example.com`,
// or `?from=2026-11-01&to=2026-11-30&bucket=hour` for a custom period with hourly charts.

export const PERIOD_OPTIONS = [7, 30, 90] as const;
export const DEFAULT_DAYS = 30;

/** Returns the period in the URL, or the default when it is missing or not one of the options. */
export function readDays(): number {
  const days = Number(new URLSearchParams(location.search).get('days'));
  return (PERIOD_OPTIONS as readonly number[]).includes(days) ? days : DEFAULT_DAYS;
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
export function readBucket(): 'day' | 'hour' | null {
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

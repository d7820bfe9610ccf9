// The view's state in the URL query, so a view can be shared: `?days=30&domain=example.com`.

export const PERIOD_OPTIONS = [7, 30, 90] as const;
export const DEFAULT_DAYS = 30;

/** Returns the period in the URL, or the default when it is missing or not one of the options. */
export function readDays(): number {
  const days = Number(new URLSearchParams(location.search).get('days'));
  return (PERIOD_OPTIONS as readonly number[]).includes(days) ? days : DEFAULT_DAYS;
}

export function readDomainQuery(): { domain: string; smtpHost: string } | null {
  const query = new URLSearchParams(location.search);
  const domain = query.get('domain');
  return domain ? { domain, smtpHost: query.get('smtpHost') ?? '' } : null;
}

/**
 * Updates the URL query with `changes`, where null removes a key. Adds a history entry when
 * `push` is true, so the back button returns to the previous view.
 */
export function updateQuery(changes: Record<string, string | null>, push: boolean): void {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  if (url.href === location.href) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

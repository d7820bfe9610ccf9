import type { AccountScope, BreakdownRow, Method, Store } from '../../db/types.js';
import { parsePeriod, periodBounds } from './period.js';

const TOP = 20;

export interface BreakdownEntry {
  key: string;
  /** The account's name, for the breakdown by account. */
  name?: string;
  sent: number;
  delivered: number;
  /** Hard bounces. */
  bounced: number;
  softBounced: number;
  rejected: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  /** The sends per method, so a domain's trouble can be tied to the method that had it. */
  methods: Partial<Record<Method, number>>;
}

function fold(rows: BreakdownRow[]): BreakdownEntry[] {
  const entries = new Map<string, BreakdownEntry>();
  for (const row of rows) {
    const entry = entries.get(row.key) ?? {
      key: row.key,
      sent: 0,
      delivered: 0,
      bounced: 0,
      softBounced: 0,
      rejected: 0,
      deliveryRate: null,
      bounceRate: null,
      methods: {},
    };
    entry.sent += row.sent;
    entry.delivered += row.delivered;
    entry.bounced += row.bounced;
    entry.softBounced += row.softBounced;
    entry.rejected += row.rejected;
    entry.methods[row.method] = (entry.methods[row.method] ?? 0) + row.sent;
    entries.set(row.key, entry);
  }
  // A key whose sends were all queued, failed or unknown reached no server, so it is left out.
  return [...entries.values()]
    .filter((entry) => entry.sent > 0)
    .map((entry) => ({
      ...entry,
      deliveryRate: entry.sent > 0 ? entry.delivered / entry.sent : null,
      // Hard and soft, as the summary's bounce rate counts them.
      bounceRate: entry.sent > 0 ? (entry.bounced + entry.softBounced) / entry.sent : null,
    }))
    .sort((a, b) => b.sent - a.sent || a.key.localeCompare(b.key))
    .slice(0, TOP);
}

/**
 * Breaks the period's sends down by recipient domain (gmail.com, outlook.com...), by account
 * (for callers who see more than one), and by bounce reason with recent examples.
 */
export function breakdowns(store: Store, query: unknown, now: number, scope: AccountScope) {
  const period = parsePeriod(query, now, 'breakdown query');
  const { from, end } = period;
  const counts = store.breakdowns.byDomainAndAccount(from, end, scope);
  const byAccount =
    scope === undefined || scope.length > 1
      ? fold(counts.byAccount).map((entry) => ({
          ...entry,
          name: store.accounts.get(Number(entry.key))?.name ?? entry.key,
        }))
      : [];
  return {
    ...periodBounds(period),
    byRecipientDomain: fold(counts.byRecipientDomain),
    byAccount,
    reasons: store.breakdowns.topReasons(from, end, scope, 10),
  };
}

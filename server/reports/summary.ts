import type { AccountScope, Method, MethodCounts, SendState, Store } from '../../db/types.js';
import {
  compareRates,
  wilsonInterval,
  type Comparison,
  type Interval,
  type RateSample,
} from './compare.js';
import { parsePeriod, parseSeriesQuery, periodBounds } from './period.js';

const METHODS: Method[] = ['default', 'smtp', 'mandrill'];

/** What each rate means, shown beside the numbers so the comparison is read fairly. */
export const RATE_DEFINITIONS = {
  deliveryRate:
    'Delivered divided by sent. Sent counts the sends that reached a server, whether it took or ' +
    'refused them: all but queued, failed (no connection, TLS or login) and unknown (the process ' +
    'stopped during the hand-off). For default and smtp sends, delivered means the relay or the ' +
    "manager's server accepted the message and no bounce has been seen since, because the product " +
    'sees nothing past that server; for mandrill, it means Mandrill reported the message delivered ' +
    'to the receiving server.',
  bounceRate:
    'Bounced (hard and soft) divided by sent. Recipients refused during the hand-off (an SMTP ' +
    'reply such as 550 5.1.1, or a Mandrill rejection) count as rejected, shown apart.',
  openRate:
    'Sends opened at least once divided by the delivered sends whose opens could be seen, ' +
    'opens by machines (privacy proxies, scanners) left out. Mandrill tracks every message, so ' +
    'its rate is over all delivered sends. Default and smtp sends are tracked only when their ' +
    'account turns open tracking on and the message has HTML, so their rate is over those ' +
    'sends alone (openRateBase) and is missing when there are none. Opens need images to load, ' +
    'so every method undercounts readers by the same mechanism.',
};

export interface MethodSummary {
  method: Method;
  sent: number;
  accepted: number;
  delivered: number;
  deferred: number;
  bounced: number;
  softBounced: number;
  rejected: number;
  failed: number;
  opened: number;
  clicked: number;
  complained: number;
  /** The delivered sends whose opens could be seen, which the open rate divides by. */
  openRateBase: number;
  /** Of those, the ones opened at least once by a reader. */
  openRateOpened: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  openRate: number | null;
  /** The 95% Wilson interval of each rate, null where the rate is. */
  intervals: {
    deliveryRate: Interval | null;
    bounceRate: Interval | null;
    openRate: Interval | null;
  };
}

const METHOD_LABELS: Record<Method, string> = {
  default: 'the platform default',
  smtp: 'own SMTP servers',
  mandrill: 'Mandrill',
};

/** The rates compared between methods, with what counts as a success and as a trial. */
const COMPARED: { metric: string; sample: (s: MethodSummary) => [number, number] | null }[] = [
  { metric: 'delivery rate', sample: (s) => [s.delivered, s.sent] },
  { metric: 'bounce rate', sample: (s) => [s.bounced + s.softBounced, s.sent] },
  {
    metric: 'open rate',
    sample: (s) => (s.openRate === null ? null : [s.openRateOpened, s.openRateBase]),
  },
];

/**
 * Compares each rate between every two methods that have it. Each statement tells whether the
 * difference is statistically significant, corrected for the number of pairs compared.
 */
export function methodComparisons(methods: MethodSummary[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const { metric, sample } of COMPARED) {
    const samples = methods.flatMap((m) => {
      const counts = sample(m);
      return counts
        ? [
            {
              method: m.method,
              label: METHOD_LABELS[m.method],
              successes: counts[0],
              trials: counts[1],
            },
          ]
        : [];
    });
    const pairs = (samples.length * (samples.length - 1)) / 2;
    for (let i = 0; i < samples.length; i += 1) {
      for (let j = i + 1; j < samples.length; j += 1) {
        comparisons.push(
          compareRates(metric, samples[i] as RateSample, samples[j] as RateSample, pairs),
        );
      }
    }
  }
  return comparisons;
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

export function summarize(method: Method, entry: MethodCounts | undefined): MethodSummary {
  const count = (state: SendState): number => entry?.counts[state] ?? 0;
  const total = Object.values(entry?.counts ?? {}).reduce((sum, n) => sum + (n ?? 0), 0);
  const sent = total - count('queued') - count('failed') - count('unknown');
  // Only Mandrill reports delivery; for SMTP methods acceptance with no bounce is the best evidence.
  const delivered = count('delivered') + (method === 'mandrill' ? 0 : count('accepted'));
  const bounced = count('bounced');
  const softBounced = count('soft_bounced');
  const opened = entry?.opened ?? 0;
  // Mandrill tracks every message; the other methods only those that carried the pixel.
  const openRateBase = method === 'mandrill' ? delivered : (entry?.trackedDelivered ?? 0);
  const openRateOpened = method === 'mandrill' ? opened : (entry?.trackedOpened ?? 0);
  return {
    method,
    sent,
    accepted: count('accepted'),
    delivered,
    deferred: count('deferred'),
    bounced,
    softBounced,
    rejected: count('rejected'),
    failed: count('failed'),
    opened,
    clicked: entry?.clicked ?? 0,
    complained: entry?.complained ?? 0,
    openRateBase,
    openRateOpened,
    deliveryRate: ratio(delivered, sent),
    bounceRate: ratio(bounced + softBounced, sent),
    openRate: ratio(openRateOpened, openRateBase),
    intervals: {
      deliveryRate: wilsonInterval(delivered, sent),
      bounceRate: wilsonInterval(bounced + softBounced, sent),
      openRate: wilsonInterval(openRateOpened, openRateBase),
    },
  };
}

/** Computes counts and rates per method over the period of `query`: `days`, or `from` to `to`. */
export function methodSummary(store: Store, query: unknown, now: number, scope?: AccountScope) {
  const period = parsePeriod(query, now);
  const entries = store.reports.countsByMethod(period.from, period.end, scope);
  const methods = METHODS.map((method) =>
    summarize(
      method,
      entries.find((e) => e.method === method),
    ),
  );
  return {
    ...periodBounds(period),
    definitions: RATE_DEFINITIONS,
    methods,
    comparisons: methodComparisons(methods),
  };
}

/** The same rates per method and hour or day bucket, for the trend charts. */
export function methodSeries(store: Store, query: unknown, now: number, scope?: AccountScope) {
  const { period, bucket, bucketMs } = parseSeriesQuery(query, now);
  const entries = store.reports.countsByMethodAndBucket(period.from, period.end, bucketMs, scope);
  return {
    bucket,
    ...periodBounds(period),
    series: METHODS.map((method) => ({
      method,
      points: entries
        .filter((entry) => entry.method === method)
        .map((entry) => {
          const s = summarize(method, entry);
          return {
            t: new Date(entry.bucketStart).toISOString(),
            sent: s.sent,
            delivered: s.delivered,
            bounced: s.bounced + s.softBounced,
            opened: s.opened,
            deliveryRate: s.deliveryRate,
            bounceRate: s.bounceRate,
            openRate: s.openRate,
          };
        }),
    })),
  };
}

import type { AccountScope, Method, MethodCounts, SendState, Store } from '../../db/types.js';
import {
  compareRates,
  wilsonInterval,
  type Comparison,
  type Interval,
  type RateSample,
} from './compare.js';
import { parsePeriod, parseSeriesQuery, periodBounds } from './period.js';
import { RATE_DEFINITIONS, RATE_NAMES, type RateName } from './rates.js';

const METHODS: Method[] = ['default', 'smtp', 'mandrill'];

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
  unsubscribed: number;
  /** The delivered sends whose opens could be seen, which the open rate divides by. */
  openRateBase: number;
  /** Of those, the ones opened at least once by a reader. */
  openRateOpened: number;
  /** The delivered sends whose clicks could be seen, which the click rate divides by. */
  clickRateBase: number;
  /** Of those, the ones clicked at least once by a reader. */
  clickRateClicked: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  complaintRate: number | null;
  unsubscribeRate: number | null;
  /** The 95% Wilson interval of each rate, null where the rate is. */
  intervals: Record<RateName, Interval | null>;
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
  {
    metric: 'click rate',
    sample: (s) => (s.clickRate === null ? null : [s.clickRateClicked, s.clickRateBase]),
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
  const mandrill = method === 'mandrill';
  const delivered = count('delivered') + (mandrill ? 0 : count('accepted'));
  const bounced = count('bounced');
  const softBounced = count('soft_bounced');
  const opened = entry?.opened ?? 0;
  const clicked = entry?.clicked ?? 0;
  const complained = entry?.complained ?? 0;
  const unsubscribed = entry?.unsubscribed ?? 0;
  // Mandrill tracks every message; the other methods only those that carried the pixel or links.
  const openRateBase = mandrill ? delivered : (entry?.openTrackedDelivered ?? 0);
  const openRateOpened = mandrill ? opened : (entry?.openTrackedOpened ?? 0);
  const clickRateBase = mandrill ? delivered : (entry?.clickTrackedDelivered ?? 0);
  const clickRateClicked = mandrill ? clicked : (entry?.clickTrackedClicked ?? 0);
  const samples: Record<RateName, [number, number] | null> = {
    deliveryRate: [delivered, sent],
    bounceRate: [bounced + softBounced, sent],
    openRate: [openRateOpened, openRateBase],
    clickRate: [clickRateClicked, clickRateBase],
    complaintRate: [complained, delivered],
    // Only Mandrill's unsubscribe links report to the product.
    unsubscribeRate: mandrill ? [unsubscribed, delivered] : null,
  };
  const rate = (name: RateName) => {
    const sample = samples[name];
    return sample ? ratio(sample[0], sample[1]) : null;
  };
  const interval = (name: RateName) => {
    const sample = samples[name];
    return sample ? wilsonInterval(sample[0], sample[1]) : null;
  };
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
    clicked,
    complained,
    unsubscribed,
    openRateBase,
    openRateOpened,
    clickRateBase,
    clickRateClicked,
    deliveryRate: rate('deliveryRate'),
    bounceRate: rate('bounceRate'),
    openRate: rate('openRate'),
    clickRate: rate('clickRate'),
    complaintRate: rate('complaintRate'),
    unsubscribeRate: rate('unsubscribeRate'),
    intervals: Object.fromEntries(RATE_NAMES.map((name) => [name, interval(name)])) as Record<
      RateName,
      Interval | null
    >,
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

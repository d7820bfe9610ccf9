import { errorFunction } from 'simple-statistics';
import type { Method } from '../../db/types.js';

/** The z value of a two-sided 95% interval. */
const Z95 = 1.959964;
/** The level at which a difference is called significant, before the correction for pairs. */
const ALPHA = 0.05;
/** Below this many trials per method, or 5 expected successes or failures, no test is made. */
const MIN_TRIALS = 30;

export interface Interval {
  low: number;
  high: number;
}

/**
 * Returns the Wilson score interval of a proportion at 95%, which stays inside [0, 1] and keeps its
 * coverage for small counts and rates near 0 or 1, where the normal approximation does not.
 * Null without trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half =
    (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function normalCdf(x: number): number {
  return 0.5 * (1 + errorFunction(x / Math.SQRT2));
}

export interface RateSample {
  method: Method;
  label: string;
  successes: number;
  trials: number;
}

export interface Comparison {
  metric: string;
  a: Method;
  b: Method;
  /** Rate of a minus rate of b, in [-1, 1]. */
  difference: number | null;
  /** Two-sided p-value of the two-proportion z-test, or null when no test was made. */
  pValue: number | null;
  significant: boolean;
  /** The comparison in words, with the rates, their intervals and the test's conclusion. */
  statement: string;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function describeRate(sample: RateSample): string {
  const interval = wilsonInterval(sample.successes, sample.trials);
  const rate = sample.successes / sample.trials;
  return `${percent(rate)} (95% interval ${percent(interval?.low ?? 0)} to ${percent(interval?.high ?? 0)}, of ${sample.trials})`;
}

/**
 * Compares one rate between two methods with a two-proportion z-test (pooled), two-sided.
 * `pairs` is how many pairs are compared for the same rate: the difference is called
 * significant only below 0.05 / pairs (Bonferroni), so that three comparisons together keep
 * a 5% chance of a false alarm. With too few sends the statement makes no claim and gives the reason.
 */
export function compareRates(
  metric: string,
  a: RateSample,
  b: RateSample,
  pairs: number,
): Comparison {
  const base = { metric, a: a.method, b: b.method };
  const expected = (s: RateSample, pooled: number) =>
    Math.min(s.trials * pooled, s.trials * (1 - pooled));
  const pooled = (a.successes + b.successes) / Math.max(1, a.trials + b.trials);
  if (
    a.trials < MIN_TRIALS ||
    b.trials < MIN_TRIALS ||
    expected(a, pooled) < 5 ||
    expected(b, pooled) < 5
  ) {
    const difference =
      a.trials > 0 && b.trials > 0 ? a.successes / a.trials - b.successes / b.trials : null;
    return {
      ...base,
      difference,
      pValue: null,
      significant: false,
      statement: `Too few sends to compare the ${metric} of ${a.label} (${a.trials}) and ${b.label} (${b.trials}): at least ${MIN_TRIALS} each, and 5 expected on each side of the rate, are needed before a difference means anything.`,
    };
  }
  const rateA = a.successes / a.trials;
  const rateB = b.successes / b.trials;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const z = se > 0 ? (rateA - rateB) / se : 0;
  const pValue = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  const threshold = ALPHA / Math.max(1, pairs);
  const significant = pValue < threshold;
  const shownP = pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`;
  // Rates that print alike read as equal, so the order follows the printed figures.
  let order = 'the same, to one decimal, as';
  if (percent(rateA) !== percent(rateB)) order = rateA > rateB ? 'higher than' : 'lower than';
  const verdict = significant
    ? `the difference is statistically significant (${shownP}, below ${threshold.toFixed(3)} for ${pairs} pairs)`
    : `the difference is not statistically significant (${shownP}) and may be chance`;
  return {
    ...base,
    difference: rateA - rateB,
    pValue,
    significant,
    statement: `The ${metric} of ${a.label}, ${describeRate(a)}, is ${order} that of ${b.label}, ${describeRate(b)}: ${verdict}.`,
  };
}

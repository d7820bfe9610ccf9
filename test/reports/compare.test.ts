import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRates, wilsonInterval } from '../../server/reports/compare.js';

function close(actual: number | undefined, expected: number, digits = 4): void {
  assert.ok(actual !== undefined, 'no value');
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ${expected}`);
}

describe('Wilson score interval', () => {
  // Reference values from the closed form, as statistics texts tabulate them.
  it('0 of 10 stays at 0 and reaches 0.2775', () => {
    const interval = wilsonInterval(0, 10);
    close(interval?.low, 0);
    close(interval?.high, 0.2775);
  });

  it('10 of 10 reaches 1 from 0.7225', () => {
    const interval = wilsonInterval(10, 10);
    close(interval?.low, 0.7225);
    close(interval?.high, 1);
  });

  it('50 of 100 is 0.4038 to 0.5962', () => {
    const interval = wilsonInterval(50, 100);
    close(interval?.low, 0.4038);
    close(interval?.high, 0.5962);
  });

  it('no trials give no interval', () => {
    assert.equal(wilsonInterval(0, 0), null);
  });
});

describe('comparing a rate between two methods', () => {
  const a = { method: 'mandrill' as const, label: 'Mandrill', successes: 90, trials: 100 };
  const b = { method: 'smtp' as const, label: 'own SMTP servers', successes: 80, trials: 100 };

  it('gives the two-proportion z-test p-value', () => {
    // Pooled rate 0.85: z = 0.1 / sqrt(0.85 * 0.15 * 0.02) = 1.980, two-sided p = 0.0477.
    const comparison = compareRates('delivery rate', a, b, 1);
    close(comparison.pValue ?? undefined, 0.0477, 3);
    close(comparison.difference ?? undefined, 0.1);
    assert.equal(comparison.significant, true);
    assert.match(comparison.statement, /^The delivery rate of Mandrill, 90\.0% \(95% interval/);
    assert.match(comparison.statement, /is higher than that of own SMTP servers, 80\.0%/);
    assert.match(comparison.statement, /statistically significant \(p = 0\.048/);
  });

  it('Bonferroni correction for three pairs', () => {
    const comparison = compareRates('delivery rate', a, b, 3);
    assert.equal(comparison.significant, false);
    assert.match(
      comparison.statement,
      /not statistically significant \(p = 0\.048\) and may be chance/,
    );
  });

  it('makes no claim with too few sends', () => {
    const comparison = compareRates(
      'delivery rate',
      { ...a, successes: 9, trials: 10 },
      { ...b, successes: 5, trials: 10 },
      1,
    );
    assert.equal(comparison.pValue, null);
    assert.equal(comparison.significant, false);
    assert.match(comparison.statement, /^Too few sends to compare/);
  });

  it('rates that print alike are called the same', () => {
    // 94.44% and 94.41% both print as 94.4%, so "higher" would contradict the figures.
    const comparison = compareRates(
      'delivery rate',
      { ...a, successes: 1700, trials: 1800 },
      { ...b, successes: 3399, trials: 3600 },
      1,
    );
    assert.match(
      comparison.statement,
      /94\.4% .* is the same, to one decimal, as that of .* 94\.4%/,
    );
  });

  it('a large sample finds a small difference', () => {
    const comparison = compareRates(
      'bounce rate',
      { ...a, successes: 200, trials: 10_000 },
      { ...b, successes: 300, trials: 10_000 },
      3,
    );
    assert.ok((comparison.pValue ?? 1) < 0.001);
    assert.equal(comparison.significant, true);
    assert.match(comparison.statement, /lower than/);
    assert.match(comparison.statement, /p < 0\.001/);
  });
});

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SloResult } from '../core/results-schema.ts';
import { createLatencyHistogram, initHistogramsSync, msToUs } from './histogram.ts';
import type { Histogram } from './histogram.ts';
import { quantileRanks } from './quantile-interval.ts';
import { exponentialDistribution, mulberry32 } from './synthetic.ts';
import { empiricalFractionForDecision, overallVerdict, samplesToDecide, sloVerdict } from './verdict.ts';

beforeAll(() => initHistogramsSync());
const live: Histogram[] = [];
afterEach(() => {
  for (const h of live.splice(0)) h.destroy();
});
function histogram(): Histogram {
  const h = createLatencyHistogram();
  live.push(h);
  return h;
}
function exponentialSamples(n: number, meanMs: number, seed: number): Histogram {
  const h = histogram();
  const dist = exponentialDistribution(meanMs);
  const uniform = mulberry32(seed);
  for (let i = 0; i < n; i++) h.recordValue(msToUs(dist.sample(uniform)));
  return h;
}
/** `fast` samples at 1 ms and `slow` samples at 9 ms: an exactly known empirical CDF. */
function twoPoint(fast: number, slow: number): Histogram {
  const h = histogram();
  h.recordValueWithCount(1000, fast);
  if (slow > 0) h.recordValueWithCount(9000, slow);
  return h;
}

describe('sloVerdict on percentiles', () => {
  // Exponential with mean 0.5 ms: p99 = 0.5 * ln(100) = 2.30 ms.
  it('PASS when the whole interval is under the threshold', () => {
    const r = sloVerdict(exponentialSamples(12_000, 0.5, 1), 'p99', 5);
    expect(r.verdict).toBe('PASS');
    expect(r.interval.upperMs).toBeLessThan(5);
    expect(r.observedMs).toBeCloseTo(2.3, 0);
    expect(r.sampleCount).toBe(12_000);
    expect(r.samplesToDecide).toBeNull();
    expect(r.explanation).toMatch(/^p99 2\.\d\d ms \(95% CI 2\.\d\d–2\.\d\d ms, n=12,000\) is under the 5 ms SLO$/);
  });

  it('FAIL when the whole interval is over the threshold', () => {
    const r = sloVerdict(exponentialSamples(12_000, 0.5, 2), 'p99', 1.5);
    expect(r.verdict).toBe('FAIL');
    expect(r.interval.lowerMs).toBeGreaterThan(1.5);
    expect(r.explanation).toMatch(/is over the 1\.5 ms SLO$/);
  });

  it('INCONCLUSIVE when the interval straddles the threshold, with a sample count that decides', () => {
    const h = exponentialSamples(3000, 0.5, 6);
    const r = sloVerdict(h, 'p99', 2.35);
    expect(r.verdict).toBe('INCONCLUSIVE');
    expect(r.interval.lowerMs).toBeLessThanOrEqual(2.35);
    expect(r.interval.upperMs).toBeGreaterThanOrEqual(2.35);
    expect(r.samplesToDecide).toBeGreaterThan(3000);
    expect(r.explanation).toMatch(/straddles the 2\.35 ms SLO; ~[\d,]+ samples would decide$/);
  });

  it('too few samples to bound p99 from above', () => {
    const r = sloVerdict(twoPoint(150, 0), 'p99', 5);
    expect(r.verdict).toBe('INCONCLUSIVE');
    expect(r.interval.upperRank).toBeNull();
    expect(r.samplesToDecide).toBe(299); // every sample under: the max decides from 299 on
    expect(r.explanation).toBe('too few samples: n=150 cannot bound p99 from above (needs >= 299); ~299 samples would decide');
  });

  it('the sample count it promises does decide, if the distribution holds', () => {
    const slowShare = 0.007; // p99 is 1 ms, SLO 5 ms, but 0.7% of calls take 9 ms
    const small = sloVerdict(twoPoint(993, 7), 'p99', 5);
    expect(small.verdict).toBe('INCONCLUSIVE');
    const n = small.samplesToDecide!;
    expect(n).toBeGreaterThan(1000);
    const slow = Math.floor(slowShare * n);
    expect(sloVerdict(twoPoint(n - slow, slow), 'p99', 5).verdict).toBe('PASS');
    const fewer = Math.floor(n * 0.8);
    const slowFewer = Math.floor(slowShare * fewer);
    expect(sloVerdict(twoPoint(fewer - slowFewer, slowFewer), 'p99', 5).verdict).toBe('INCONCLUSIVE');
  });

  it('says more samples will not help when p99 sits on the threshold', () => {
    const r = sloVerdict(twoPoint(990, 10), 'p99', 1); // p99 is exactly the 1 ms bucket
    expect(r.verdict).toBe('INCONCLUSIVE');
    expect(r.samplesToDecide).toBeNull();
    expect(r.explanation).toMatch(/more samples would not decide/);
  });

  it('judges every percentile metric', () => {
    const h = exponentialSamples(50_000, 1, 4);
    expect(sloVerdict(h, 'p50', 0.8).verdict).toBe('PASS'); // true p50 0.69 ms
    expect(sloVerdict(h, 'p90', 2).verdict).toBe('FAIL'); // true p90 2.30 ms
    expect(sloVerdict(h, 'p999', 8).verdict).toBe('PASS'); // true p999 6.91 ms
  });

  it('no samples: INCONCLUSIVE without a guess', () => {
    const r = sloVerdict(histogram(), 'p99', 5);
    expect(r).toMatchObject({ verdict: 'INCONCLUSIVE', sampleCount: 0, samplesToDecide: null, observedMs: 0 });
    expect(r.explanation).toMatch(/no samples/);
  });
});

describe('sloVerdict on max', () => {
  it('FAIL when any value is over, PASS otherwise, interval [max, max]', () => {
    const h = twoPoint(10, 1);
    const fail = sloVerdict(h, 'max', 8);
    expect(fail.verdict).toBe('FAIL');
    expect(fail.interval).toEqual({ confidence: 0.95, lowerMs: 9, upperMs: 9, lowerRank: 11, upperRank: 11 });
    const pass = sloVerdict(h, 'max', 10);
    expect(pass.verdict).toBe('PASS');
    expect(pass.explanation).toMatch(/^max 9\.00 ms .* within the 10 ms SLO$/);
  });
});

describe('samplesToDecide', () => {
  it('shrinks as the distribution moves away from the threshold', () => {
    const passSide = [0.991, 0.992, 0.995, 0.998, 1].map((f) => samplesToDecide(f, 0.99)!);
    const failSide = [0.989, 0.988, 0.985, 0.95, 0.5].map((f) => samplesToDecide(f, 0.99)!);
    for (const seq of [passSide, failSide]) {
      for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeLessThan(seq[i - 1]!);
    }
    expect(passSide.at(-1)).toBe(299);
    expect(samplesToDecide(0, 0.99)).toBe(1); // one sample over the threshold already bounds p99 below
    expect(samplesToDecide(0.5, 0.99)).toBe(2);
  });

  it('roughly follows the normal sample-size formula for small effects', () => {
    // n ~ (z * sqrt(q(1-q)) / (F - q))^2 with z ~ 1.96.
    const n = samplesToDecide(0.991, 0.99)!;
    const formula = (1.96 * Math.sqrt(0.99 * 0.01) / 0.001) ** 2;
    expect(n / formula).toBeGreaterThan(0.8);
    expect(n / formula).toBeLessThan(1.25);
  });

  it('decides exactly at the answer and respects fromN', () => {
    const n = samplesToDecide(0.995, 0.99)!;
    expect(quantileRanks(n, 0.99).upperRank!).toBeLessThanOrEqual(0.995 * n + 1e-6);
    expect(samplesToDecide(0.995, 0.99, 0.95, n + 500)).toBe(n + 500);
  });

  it('never decides when the fraction equals q, or for the max', () => {
    expect(samplesToDecide(0.99, 0.99)).toBeNull();
    expect(samplesToDecide(1, 1)).toBeNull();
    expect(samplesToDecide(0.9900001, 0.99)).toBeNull(); // beyond 1e12 samples
    expect(() => samplesToDecide(1.5, 0.99)).toThrow(RangeError);
  });

  it('measures the empirical fraction with the interval\'s bucket edges', () => {
    const h = twoPoint(996, 4);
    expect(empiricalFractionForDecision(h, true, 5)).toBe(0.996);
    expect(empiricalFractionForDecision(h, false, 5)).toBe(0.996);
    expect(empiricalFractionForDecision(h, true, 1)).toBe(0); // bucket top 1.000 ms is not < 1 ms
    expect(empiricalFractionForDecision(h, false, 1)).toBe(0.996);
  });
});

describe('overallVerdict', () => {
  const r = (verdict: SloResult['verdict']): SloResult => ({
    metric: 'p99', thresholdMs: 1, observedMs: 1, sampleCount: 1,
    interval: { confidence: 0.95, lowerMs: 1, upperMs: 1, lowerRank: 1, upperRank: 1 },
    verdict, samplesToDecide: null, explanation: '',
  });
  it('FAIL beats INCONCLUSIVE beats PASS; any finding fails', () => {
    expect(overallVerdict([r('PASS'), r('PASS')], 0)).toBe('PASS');
    expect(overallVerdict([r('PASS'), r('INCONCLUSIVE')], 0)).toBe('INCONCLUSIVE');
    expect(overallVerdict([r('INCONCLUSIVE'), r('FAIL')], 0)).toBe('FAIL');
    expect(overallVerdict([r('PASS')], 1)).toBe('FAIL');
    expect(overallVerdict([], 0)).toBe('PASS');
  });
});

import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import {
  createParetoSampler,
  paretoFromPercentiles,
  paretoFromQuantiles,
  paretoQuantile,
  type ParetoSamplerOptions,
} from './pareto.ts';

/** Nearest-rank empirical quantile of sorted values. */
function empiricalQuantile(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

function drawSorted(params: ParetoSamplerOptions, n: number, seed: number): Float64Array {
  const sampler = createParetoSampler(params, createRng(seed));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = sampler.next();
  return values.sort();
}

const relativeError = (observed: number, expected: number): number => Math.abs(observed - expected) / expected;

describe('paretoQuantile', () => {
  it('is scale at q=0, scale*2^(1/alpha) at the median, infinite at q=1', () => {
    const params = { alpha: 2, scale: 3 };
    expect(paretoQuantile(params, 0)).toBe(3);
    expect(paretoQuantile(params, 0.5)).toBeCloseTo(3 * Math.SQRT2, 12);
    expect(paretoQuantile(params, 0.99)).toBeCloseTo(30, 10);
    expect(paretoQuantile(params, 1)).toBe(Infinity);
  });

  it('rejects invalid parameters and quantiles with clear errors', () => {
    expect(() => paretoQuantile({ alpha: 0, scale: 1 }, 0.5)).toThrow(/alpha/);
    expect(() => paretoQuantile({ alpha: 1, scale: -1 }, 0.5)).toThrow(/scale/);
    expect(() => paretoQuantile({ alpha: 1, scale: 1 }, 1.5)).toThrow(/quantile/);
    expect(() => paretoQuantile({ alpha: 1, scale: 1 }, Number.NaN)).toThrow(/quantile/);
  });
});

describe('createParetoSampler', () => {
  it('matches the analytic P99 within 2% over 1e6 seeded draws (alpha 1.16)', () => {
    const params = { alpha: 1.16, scale: 2 };
    const sorted = drawSorted(params, 1_000_000, 42);
    const p99 = empiricalQuantile(sorted, 0.99);
    expect(relativeError(p99, paretoQuantile(params, 0.99))).toBeLessThan(0.02);
    // P50 has far less sampling noise than the tail.
    expect(relativeError(empiricalQuantile(sorted, 0.5), paretoQuantile(params, 0.5))).toBeLessThan(0.005);
    // Every draw is at least the scale.
    expect(sorted[0]).toBeGreaterThanOrEqual(2);
  });

  it('matches analytic quantiles for lighter tails too', () => {
    for (const alpha of [1.5, 2.5]) {
      const params = { alpha, scale: 1 };
      const sorted = drawSorted(params, 200_000, 7);
      for (const q of [0.5, 0.9, 0.99]) {
        expect(relativeError(empiricalQuantile(sorted, q), paretoQuantile(params, q))).toBeLessThan(0.03);
      }
    }
  });

  it('replays the same sequence from the same seed, and a different one from another seed', () => {
    const draw = (seed: number): number[] => {
      const sampler = createParetoSampler({ alpha: 1.16, scale: 1 }, createRng(seed));
      return Array.from({ length: 1000 }, () => sampler.next());
    };
    expect(draw(123)).toEqual(draw(123));
    expect(draw(123)).not.toEqual(draw(124));
  });

  it('caps draws at the cap and keeps the rest of the distribution', () => {
    const capped = drawSorted({ alpha: 1.16, scale: 1, cap: 10 }, 100_000, 5);
    const uncapped = drawSorted({ alpha: 1.16, scale: 1 }, 100_000, 5);
    expect(capped[capped.length - 1]).toBe(10);
    expect(uncapped[uncapped.length - 1]).toBeGreaterThan(10);
    expect(empiricalQuantile(capped, 0.5)).toBe(empiricalQuantile(uncapped, 0.5));
  });

  it('guards U = 0: a source returning 1 gives a large finite draw, not Infinity', () => {
    const sampler = createParetoSampler({ alpha: 1.16, scale: 1 }, { next: () => 1 });
    const x = sampler.next();
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeGreaterThan(1e10);
    const zero = createParetoSampler({ alpha: 1.16, scale: 1 }, { next: () => 0 });
    expect(zero.next()).toBe(1);
  });

  it('rejects a cap below the scale', () => {
    expect(() => createParetoSampler({ alpha: 1.5, scale: 5, cap: 4 }, createRng(1))).toThrow(/cap/);
  });
});

describe('paretoFromPercentiles', () => {
  it('round-trips: solved parameters reproduce the requested percentiles', () => {
    const solved = paretoFromPercentiles({ p50Ms: 5, p99Ms: 200 });
    expect(paretoQuantile(solved, 0.5)).toBeCloseTo(5, 9);
    expect(paretoQuantile(solved, 0.99)).toBeCloseTo(200, 9);
  });

  it('recovers known parameters from any two of their percentiles', () => {
    const truth = { alpha: 1.16, scale: 0.8 };
    const solved = paretoFromPercentiles({
      p90Ms: paretoQuantile(truth, 0.9),
      p999Ms: paretoQuantile(truth, 0.999),
    });
    expect(solved.alpha).toBeCloseTo(truth.alpha, 10);
    expect(solved.scale).toBeCloseTo(truth.scale, 10);
    const reversed = paretoFromQuantiles(
      { q: 0.999, valueMs: paretoQuantile(truth, 0.999) },
      { q: 0.5, valueMs: paretoQuantile(truth, 0.5) },
    );
    expect(reversed.alpha).toBeCloseTo(truth.alpha, 10);
  });

  it('solved parameters drive a sampler whose empirical percentiles match the request', () => {
    const solved = paretoFromPercentiles({ p50Ms: 2, p99Ms: 50 });
    const sorted = drawSorted(solved, 400_000, 99);
    expect(relativeError(empiricalQuantile(sorted, 0.5), 2)).toBeLessThan(0.01);
    expect(relativeError(empiricalQuantile(sorted, 0.99), 50)).toBeLessThan(0.03);
  });

  it('rejects inputs that cannot describe a Pareto distribution', () => {
    expect(() => paretoFromPercentiles({ p50Ms: 5 })).toThrow(/exactly two/);
    expect(() => paretoFromPercentiles({ p50Ms: 5, p90Ms: 6, p99Ms: 7 })).toThrow(/exactly two/);
    expect(() => paretoFromPercentiles({ p50Ms: 10, p99Ms: 10 })).toThrow(/strictly increasing/);
    expect(() => paretoFromPercentiles({ p50Ms: 10, p99Ms: 5 })).toThrow(/strictly increasing/);
    expect(() => paretoFromPercentiles({ p50Ms: 0, p99Ms: 5 })).toThrow(/> 0/);
    expect(() => paretoFromQuantiles({ q: 0.5, valueMs: 1 }, { q: 0.5, valueMs: 2 })).toThrow(/differ/);
    expect(() => paretoFromQuantiles({ q: 1, valueMs: 1 }, { q: 0.5, valueMs: 2 })).toThrow(/\(0, 1\)/);
  });
});

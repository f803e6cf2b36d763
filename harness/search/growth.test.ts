import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../core/rng.ts';
import { collectGrowthPoints, fitGrowth, fitLine, type GrowthPoint } from './growth.ts';

/** Seeded multiplicative noise, roughly log-normal with sigma ~ spread/2. */
function noisy(rng: Rng, spread: number): number {
  const gauss = (rng.next() + rng.next() + rng.next() - 1.5) * 2; // ~N(0, 1), bounded
  return Math.exp((gauss * spread) / 2);
}

function points(ns: readonly number[], f: (n: number) => number, seed: number, spread = 0.2): GrowthPoint[] {
  const rng = createRng(seed);
  return ns.map((n) => ({ n, latencyMs: f(n) * noisy(rng, spread) }));
}

const geometric = (from: number, to: number, factor = 1.5): number[] => {
  const out: number[] = [];
  for (let n = from; n <= to; n = Math.ceil(n * factor)) out.push(n);
  return out;
};
const linearRange = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('fitLine', () => {
  it('recovers slope and intercept exactly on exact data', () => {
    const fit = fitLine([1, 2, 3, 4], [3, 5, 7, 9]);
    expect(fit.slope).toBeCloseTo(2);
    expect(fit.intercept).toBeCloseTo(1);
    expect(fit.r2).toBeCloseTo(1);
  });
});

describe('fitGrowth classes on noisy synthetic data', () => {
  for (const seed of [1, 2, 3]) {
    it(`exponential 2^n (seed ${seed})`, () => {
      const fit = fitGrowth(points(linearRange(8, 22), (n) => 1e-4 * 2 ** n, seed));
      expect(fit.class).toBe('exponential');
      expect(fit.b).toBeGreaterThan(1.8);
      expect(fit.b).toBeLessThan(2.2);
      expect(fit.r2).toBeGreaterThan(0.95);
      // 1e-4 * 2^n > 10 ms at n > 16.6
      const crossing = fit.predictedCrossingSize(10)!;
      expect(crossing).toBeGreaterThanOrEqual(16);
      expect(crossing).toBeLessThanOrEqual(18);
    });

    it(`quadratic n^2 (seed ${seed})`, () => {
      const fit = fitGrowth(points(geometric(50, 5000), (n) => 2e-6 * n * n, seed));
      expect(fit.class).toBe('polynomial');
      expect(fit.k).toBeGreaterThan(1.8);
      expect(fit.k).toBeLessThan(2.2);
      // 2e-6 n^2 > 10 ms at n > 2236
      const crossing = fit.predictedCrossingSize(10)!;
      expect(crossing).toBeGreaterThan(1800);
      expect(crossing).toBeLessThan(2800);
    });

    it(`linear n (seed ${seed})`, () => {
      const fit = fitGrowth(points(geometric(100, 100_000), (n) => 1e-4 * n, seed));
      expect(fit.class).toBe('linear');
      expect(fit.k).toBeGreaterThan(0.85);
      expect(fit.k).toBeLessThan(1.15);
    });

    it(`constant (seed ${seed})`, () => {
      const fit = fitGrowth(points(geometric(10, 10_000), () => 0.05, seed));
      expect(fit.class).toBe('constant');
      expect(fit.predictedCrossingSize(10)).toBeNull();
      expect(fit.predictedCrossingSize(0.01)).toBe(1);
    });
  }

  it('prefers the simpler polynomial model when both fit about as well', () => {
    // Over a short range n^3 and an exponential are hard to tell apart.
    const fit = fitGrowth(points(linearRange(20, 26), (n) => 1e-5 * n ** 3, 4, 0.05));
    expect(fit.class).toBe('polynomial');
  });

  it('rejects too few usable points', () => {
    expect(() => fitGrowth([{ n: 1, latencyMs: 1 }, { n: 2, latencyMs: 0 }, { n: 0, latencyMs: 3 }])).toThrow(/at least 3/);
  });
});

describe('collectGrowthPoints', () => {
  it('steps geometrically, then by one near the budget, and stops past it', async () => {
    const measured: number[] = [];
    const pts = await collectGrowthPoints(
      async (n) => {
        measured.push(n);
        return 1e-3 * 2 ** n;
      },
      { startN: 16, budgetMs: 10, maxN: 64 },
    );
    expect(measured[0]).toBe(8);
    const last = pts[pts.length - 1]!;
    expect(last.latencyMs).toBeGreaterThan(40); // past 4x the budget
    expect(last.latencyMs).toBeLessThan(200); // but not far past: steps of one near it
    expect(fitGrowth(pts).class).toBe('exponential');
  });

  it('halves n from a start far over the budget, so the fit sees the rise and not just the tail', async () => {
    const measured: number[] = [];
    const pts = await collectGrowthPoints(
      async (n) => {
        measured.push(n);
        return 0.05 * n * n; // quadratic: 20 ms at n = 20
      },
      { startN: 160, budgetMs: 20, maxN: 400 },
    );
    expect(measured).toEqual([80, 40, 20]); // 20 ms is not over the budget; 80 is past the stop
    expect(pts.length).toBeGreaterThanOrEqual(3);
    expect(pts.map((p) => p.n)).toEqual([...pts.map((p) => p.n)].sort((a, b) => a - b));
    const fit = fitGrowth(pts);
    expect(fit.class).toBe('polynomial');
    expect(fit.k).toBeCloseTo(2, 1);
  });

  it('takes a third point even when the second is already past the stop', async () => {
    const pts = await collectGrowthPoints(async (n) => 1e-3 * 10 ** n, { startN: 8, budgetMs: 10, maxN: 64 });
    expect(pts.map((p) => p.n)).toEqual([4, 5, 6]);
  });

  it('stops at maxN for a pattern that never gets slow', async () => {
    const pts = await collectGrowthPoints(async () => 0.01, { startN: 4, budgetMs: 10, maxN: 100, maxPoints: 50 });
    expect(pts[pts.length - 1]!.n).toBeLessThanOrEqual(100);
    expect(fitGrowth(pts).class).toBe('constant');
  });
});

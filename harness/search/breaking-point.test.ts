import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../core/rng.ts';
import { createParetoSampler } from '../chaos/pareto.ts';
import {
  classifyStep,
  estimateCrossing,
  findBreakingPoint,
  midpoint,
  type BreakingPointOptions,
  type BreakingPointResult,
  type MeasureOptions,
  type StepMeasurement,
} from './breaking-point.ts';

const BASE_SAMPLES = 1000;

/**
 * A deterministic synthetic step: P99 from `p99At(intensity)`, with a relative CI
 * half-width that shrinks as 1/sqrt(samples) like a real order-statistic interval.
 */
function syntheticMeasure(
  p99At: (intensity: number) => number,
  halfWidthAtBase: number,
  hints: Array<number | null> = [],
): (intensity: number, options: MeasureOptions) => Promise<StepMeasurement> {
  return async (intensity, { samplesHint }) => {
    hints.push(samplesHint);
    const samples = samplesHint ?? BASE_SAMPLES;
    const p99 = p99At(intensity);
    const w = halfWidthAtBase * Math.sqrt(BASE_SAMPLES / samples);
    return { intensity, p50Ms: p99 / 4, p99Ms: p99, p99Lower: p99 * (1 - w), p99Upper: p99 * (1 + w), samples, errors: 0 };
  };
}

function search(overrides: Partial<BreakingPointOptions> & Pick<BreakingPointOptions, 'measure'>): Promise<BreakingPointResult> {
  return findBreakingPoint({ knob: 'test.knob', range: { lo: 1, hi: 100 }, sloP99Ms: 100, ...overrides });
}

/** Invariants every result must satisfy, whatever the curve. */
function expectConsistent(result: BreakingPointResult): void {
  const intensities = result.curve.map((p) => p.intensity);
  expect(intensities).toEqual([...intensities].sort((a, b) => a - b));
  expect(new Set(intensities).size).toBe(intensities.length);
  const at = (x: number | null) => result.curve.find((p) => p.intensity === x);
  if (result.bracket.failing !== null) expect(at(result.bracket.failing)?.outcome).toBe('fail');
  if (result.bracket.passing !== null) expect(at(result.bracket.passing)?.outcome).toBe('pass');
  expect(result.breakingPoint).toBe(result.bracket.failing);
  const lowestFail = result.curve.find((p) => p.outcome === 'fail');
  expect(result.breakingPoint).toBe(lowestFail?.intensity ?? null);
}

describe('midpoint', () => {
  it('is geometric for wide brackets and arithmetic for narrow ones', () => {
    expect(midpoint(1, 100)).toBeCloseTo(10, 12);
    expect(midpoint(10, 20)).toBe(15);
    expect(midpoint(0, 100)).toBe(50);
  });
});

describe('classifyStep', () => {
  const step = (p99Lower: number, p99Upper: number, errors = 0): StepMeasurement => ({
    intensity: 1, p50Ms: 1, p99Ms: (p99Lower + p99Upper) / 2, p99Lower, p99Upper, samples: 100, errors,
  });
  it('decides from the interval, never from the point estimate', () => {
    expect(classifyStep(step(101, 200), 100)).toBe('fail');
    expect(classifyStep(step(50, 99), 100)).toBe('pass');
    expect(classifyStep(step(50, 150), 100)).toBe('inconclusive');
    expect(classifyStep(step(50, Infinity), 100)).toBe('inconclusive');
  });
  it('fails a step whose error ratio exceeds maxErrorRatio', () => {
    expect(classifyStep(step(1, 2, 50), 100, 0.1)).toBe('fail');
    expect(classifyStep(step(1, 2, 5), 100, 0.1)).toBe('pass');
    expect(classifyStep(step(1, 2, 50), 100)).toBe('pass');
  });
});

describe('findBreakingPoint on synthetic curves', () => {
  it('monotone linear curve: brackets the analytic crossing within tolerance', async () => {
    // P99 = 2.5 ms per unit of intensity: crosses 100 ms at 40.
    const result = await search({ measure: syntheticMeasure((x) => 2.5 * x, 0.01), tolerance: 0.05 });
    expectConsistent(result);
    expect(result.status).toBe('found');
    const { passing, failing } = result.bracket as { passing: number; failing: number };
    expect(passing).toBeLessThan(40);
    expect(failing).toBeGreaterThan(40);
    expect(failing).toBeLessThan(40 * 1.06);
    expect((40 - passing) / passing).toBeLessThan(0.06);
    expect(result.crossingEstimate).toBeCloseTo(40, 0);
    expect(result.steps).toBeLessThanOrEqual(24);
  });

  it('step function: lands on the step, no boundary region', async () => {
    const result = await search({ measure: syntheticMeasure((x) => (x < 37 ? 10 : 500), 0.05) });
    expectConsistent(result);
    expect(result.status).toBe('found');
    expect(result.boundary).toBeNull();
    expect(result.breakingPoint).toBeGreaterThanOrEqual(37);
    expect(result.breakingPoint).toBeLessThan(37 * 1.05);
    expect(result.curve.some((p) => p.remeasured)).toBe(false);
  });

  it('bisects geometrically over a wide range: the first midpoint of [1, 10000] is 100', async () => {
    const seen: number[] = [];
    const measure = syntheticMeasure((x) => x, 0.01);
    await search({
      range: { lo: 1, hi: 10_000 },
      sloP99Ms: 1000,
      measure: async (x, o) => {
        seen.push(x);
        return measure(x, o);
      },
    });
    expect(seen.slice(0, 3)).toEqual([1, 10_000, 100]);
  });

  it('reports below-range when lo already fails, and not-broken when hi still passes', async () => {
    const below = await search({ measure: syntheticMeasure(() => 500, 0.01) });
    expect(below).toMatchObject({ status: 'below-range', breakingPoint: 1, steps: 1 });
    expect(below.bracket).toEqual({ passing: null, failing: 1 });
    const notBroken = await search({ measure: syntheticMeasure(() => 5, 0.01) });
    expect(notBroken).toMatchObject({ status: 'not-broken', breakingPoint: null, steps: 2 });
    expect(notBroken.bracket).toEqual({ passing: 100, failing: null });
  });

  it('re-measures an inconclusive step once with remeasureFactor times the samples', async () => {
    const hints: Array<number | null> = [];
    // Crossing at 50; a 30% CI straddles the SLO from ~38 to ~71 at base samples.
    const result = await search({
      measure: syntheticMeasure((x) => 2 * x, 0.3, hints),
      baseSamples: BASE_SAMPLES,
      remeasureFactor: 4,
    });
    expectConsistent(result);
    const remeasured = result.curve.filter((p) => p.remeasured);
    expect(remeasured.length).toBeGreaterThan(0);
    expect(remeasured.every((p) => p.samples === 4 * BASE_SAMPLES)).toBe(true);
    expect(hints.filter((h) => h === 4 * BASE_SAMPLES).length).toBe(remeasured.length);
    expect(hints.filter((h) => h === BASE_SAMPLES).length).toBe(result.steps - remeasured.length);
  });

  it('noisy seeded curve whose CI straddles the SLO: keeps proven ends and records the boundary', async () => {
    const rng = createRng(2024);
    // The CI never narrows (a noisy target whose variance is not sampling noise), so the
    // steps near the crossing (60) stay inconclusive after re-measurement.
    const measure = async (x: number, { samplesHint }: MeasureOptions): Promise<StepMeasurement> => {
      const p99 = (100 / 60) * x * (1 + (rng.next() - 0.5) * 0.1);
      const samples = samplesHint ?? BASE_SAMPLES;
      return { intensity: x, p50Ms: p99 / 3, p99Ms: p99, p99Lower: p99 * 0.8, p99Upper: p99 * 1.2, samples, errors: 0 };
    };
    const result = await search({ measure, tolerance: 0.05 });
    expectConsistent(result);
    expect(result.status).toBe('found');
    const boundary = result.boundary as { lo: number; hi: number };
    const { passing, failing } = result.bracket as { passing: number; failing: number };
    expect(passing).toBeLessThan(boundary.lo);
    expect(boundary.hi).toBeLessThan(failing);
    // Both gaps around the boundary region are narrowed to the tolerance...
    expect((boundary.lo - passing) / passing).toBeLessThan(0.05);
    const belowFailing = Math.max(...result.curve.filter((p) => p.intensity < failing).map((p) => p.intensity));
    expect((failing - belowFailing) / belowFailing).toBeLessThan(0.05);
    // ...but the bracket stays as wide as the measurement's resolution: about +-20% of 60.
    expect(passing).toBeLessThan(60 * 0.9);
    expect(failing).toBeGreaterThan(60 * 1.1);
    expect(result.curve.filter((p) => p.outcome === 'inconclusive').every((p) => p.remeasured)).toBe(true);
  });

  it('is inconclusive, with no breaking point, when hi only straddles the SLO', async () => {
    const result = await search({ measure: syntheticMeasure((x) => x, 0.3) });
    expectConsistent(result);
    expect(result.status).toBe('inconclusive');
    expect(result.breakingPoint).toBeNull();
  });

  it('stops on the injected budget, and on maxSteps', async () => {
    let calls = 0;
    const measure = syntheticMeasure((x) => 2.5 * x, 0.01);
    const byBudget = await search({
      measure: async (x, o) => {
        calls++;
        return measure(x, o);
      },
      shouldStop: () => calls >= 3,
    });
    expect(byBudget).toMatchObject({ status: 'budget-exhausted', steps: 3 });
    expectConsistent(byBudget);
    const bySteps = await search({ measure, maxSteps: 4 });
    expect(bySteps).toMatchObject({ status: 'budget-exhausted', steps: 4 });
    expect(bySteps.breakingPoint).not.toBeNull();
  });

  it('fails steps on errors when maxErrorRatio is set (a service that dies at high intensity)', async () => {
    const measure = async (x: number): Promise<StepMeasurement> =>
      x >= 30
        ? { intensity: x, p50Ms: 1, p99Ms: 1, p99Lower: 0, p99Upper: Infinity, samples: 0, errors: 500 }
        : { intensity: x, p50Ms: 1, p99Ms: 2, p99Lower: 1.9, p99Upper: 2.1, samples: 1000, errors: 0 };
    const result = await search({ measure, maxErrorRatio: 0.01 });
    expect(result.status).toBe('found');
    expect(result.breakingPoint).toBeGreaterThanOrEqual(30);
    expect(result.breakingPoint).toBeLessThan(30 * 1.05);
  });

  it('rejects an invalid range and an invalid measurement with clear errors', async () => {
    const measure = syntheticMeasure((x) => x, 0.01);
    await expect(search({ measure, range: { lo: 5, hi: 5 } })).rejects.toThrow(/0 <= lo < hi/);
    await expect(search({ measure, sloP99Ms: 0 })).rejects.toThrow(/SLO/);
    const broken = async (x: number): Promise<StepMeasurement> => ({
      intensity: x, p50Ms: 1, p99Ms: 1, p99Lower: 2, p99Upper: 1, samples: 1, errors: 0,
    });
    await expect(search({ measure: broken })).rejects.toThrow(/invalid P99 interval/);
  });
});

describe('estimateCrossing', () => {
  it('interpolates log-linearly between the points around the crossing', () => {
    const point = (intensity: number, p99Ms: number): StepMeasurement => ({
      intensity, p50Ms: 0, p99Ms, p99Lower: p99Ms, p99Upper: p99Ms, samples: 1, errors: 0,
    });
    expect(estimateCrossing([point(1, 10), point(2, 50), point(3, 1000)], 100)).toBeCloseTo(2 + Math.log(2) / Math.log(20), 12);
    expect(estimateCrossing([point(1, 10), point(2, 50)], 100)).toBeNull();
  });
});

describe('breaking point of a target whose latency is only an injected Pareto delay', () => {
  const Z95 = 1.959964;

  /** Nearest-rank order statistic (1-based), Infinity beyond the sample. */
  const orderStatistic = (sorted: Float64Array, rank: number): number =>
    rank > sorted.length ? Infinity : (sorted[Math.max(1, rank) - 1] as number);

  /**
   * Measures one step: N Pareto(alpha, scale = intensity) draws, empirical P99 and its 95%
   * CI from order statistics at ranks n*q -+ z*sqrt(n*q*(1-q)) (normal approximation of the
   * binomial rank distribution).
   */
  function paretoStep(alpha: number, rng: Rng, n: number, scale: number): StepMeasurement {
    const sampler = createParetoSampler({ alpha, scale }, rng);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = sampler.next();
    values.sort();
    const q = 0.99;
    const spread = Z95 * Math.sqrt(n * q * (1 - q));
    return {
      intensity: scale,
      p50Ms: orderStatistic(values, Math.ceil(n * 0.5)),
      p99Ms: orderStatistic(values, Math.ceil(n * q)),
      p99Lower: orderStatistic(values, Math.floor(n * q - spread)),
      p99Upper: orderStatistic(values, Math.ceil(n * q + spread)),
      samples: n,
      errors: 0,
    };
  }

  async function searchParetoScale(alpha: number, sloMs: number, seed: number): Promise<BreakingPointResult> {
    const rng = createRng(seed);
    return findBreakingPoint({
      knob: 'dependency.pareto.scale',
      range: { lo: 0.1, hi: 100 },
      sloP99Ms: sloMs,
      measure: async (scale, { samplesHint }) => paretoStep(alpha, rng, samplesHint ?? 20_000, scale),
    });
  }

  it.each([
    { alpha: 1.16, sloMs: 100, seed: 1 },
    { alpha: 1.16, sloMs: 100, seed: 2 },
    { alpha: 1.16, sloMs: 100, seed: 3 },
    { alpha: 1.5, sloMs: 50, seed: 4 },
    { alpha: 2.5, sloMs: 20, seed: 5 },
  ])('lands within 10% of SLO * 0.01^(1/alpha) (alpha $alpha, seed $seed)', async ({ alpha, sloMs, seed }) => {
    const analytic = sloMs * Math.pow(0.01, 1 / alpha);
    const result = await searchParetoScale(alpha, sloMs, seed);
    expectConsistent(result);
    expect(result.status).toBe('found');
    expect(Math.abs((result.breakingPoint as number) / analytic - 1)).toBeLessThan(0.1);
    expect(Math.abs((result.crossingEstimate as number) / analytic - 1)).toBeLessThan(0.1);
    const { passing, failing } = result.bracket as { passing: number; failing: number };
    expect(passing).toBeLessThan(failing);
  });
});

/**
 * Synthetic latency distributions with analytic quantiles, and the interval-coverage
 * experiment built on them: the oracle for the order-statistic intervals (unit tests and
 * `bench/interval-coverage.ts`). Everything is seeded, so results are reproducible.
 */
import { createRng } from '../core/rng.ts';
import { medianLow } from '../core/stats.ts';
import { normalQuantile } from './binomial.ts';
import { createLatencyHistogram, msToUs } from './histogram.ts';
import { quantileInterval } from './quantile-interval.ts';

/** Uniform draws in [0, 1) from the harness's seeded generator (xoshiro128**, core/rng.ts). */
export function seededUniform(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** @deprecated Old name kept for existing callers: now the harness's xoshiro generator, not mulberry32. */
export const mulberry32 = seededUniform;

/** A latency distribution in milliseconds with a known quantile function. */
export interface SyntheticDistribution {
  readonly name: string;
  /** One draw in ms from uniforms supplied by `uniform`. */
  sample(uniform: () => number): number;
  /** The exact q-quantile in ms. */
  quantile(q: number): number;
}

export function exponentialDistribution(meanMs: number): SyntheticDistribution {
  return {
    name: `exponential(mean ${meanMs} ms)`,
    sample: (uniform) => -meanMs * Math.log(1 - uniform()),
    quantile: (q) => -meanMs * Math.log(1 - q),
  };
}

/** Log-normal with the given median and log-scale sigma (heavier right tail than exponential). */
export function lognormalDistribution(medianMs: number, sigma: number): SyntheticDistribution {
  return {
    name: `lognormal(median ${medianMs} ms, sigma ${sigma})`,
    sample: (uniform) => {
      // Box-Muller; one normal per draw keeps the stream simple and reproducible.
      const u1 = 1 - uniform();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
      return medianMs * Math.exp(sigma * z);
    },
    quantile: (q) => medianMs * Math.exp(sigma * normalQuantile(q)),
  };
}

/** Pareto (alpha, scale) by inverse transform: the heavy tail the chaos injector uses. */
export function paretoDistribution(scaleMs: number, alpha: number): SyntheticDistribution {
  return {
    name: `pareto(scale ${scaleMs} ms, alpha ${alpha})`,
    sample: (uniform) => scaleMs * (1 - uniform()) ** (-1 / alpha),
    quantile: (q) => scaleMs * (1 - q) ** (-1 / alpha),
  };
}

export interface CoverageRequest {
  distribution: SyntheticDistribution;
  samples: number;
  q: number;
  trials: number;
  seed: number;
  confidence?: number;
}

export interface CoverageResult {
  trials: number;
  /** Trials whose interval contained the true quantile (an unbounded side always contains it). */
  covered: number;
  coverage: number;
  /** Trials in which the data could not bound the lower / upper side. */
  unboundedLower: number;
  unboundedUpper: number;
  /** Median of (upper - lower) / true quantile over the trials bounded on both sides. */
  medianRelativeWidth: number | null;
  trueQuantileMs: number;
}

/**
 * Draws `samples` values per trial into a fresh-state WASM histogram (µs, as the harness
 * records them), computes the interval and checks it against the analytic quantile.
 */
export function measureIntervalCoverage(req: CoverageRequest): CoverageResult {
  const confidence = req.confidence ?? 0.95;
  const truth = req.distribution.quantile(req.q);
  const uniform = seededUniform(req.seed);
  const h = createLatencyHistogram();
  let covered = 0;
  let unboundedLower = 0;
  let unboundedUpper = 0;
  const widths: number[] = [];
  try {
    for (let t = 0; t < req.trials; t++) {
      h.reset();
      for (let i = 0; i < req.samples; i++) h.recordValue(msToUs(req.distribution.sample(uniform)));
      const iv = quantileInterval(h, req.q, confidence);
      const lowerOk = iv.lowerRank === null || iv.lowerMs <= truth;
      const upperOk = iv.upperRank === null || iv.upperMs >= truth;
      if (lowerOk && upperOk) covered++;
      if (iv.lowerRank === null) unboundedLower++;
      if (iv.upperRank === null) unboundedUpper++;
      if (iv.lowerRank !== null && iv.upperRank !== null) widths.push((iv.upperMs - iv.lowerMs) / truth);
    }
  } finally {
    h.destroy();
  }
  return {
    trials: req.trials,
    covered,
    coverage: covered / req.trials,
    unboundedLower,
    unboundedUpper,
    medianRelativeWidth: widths.length === 0 ? null : medianLow(widths),
    trueQuantileMs: truth,
  };
}

/**
 * Pareto (type I) latency: the heavy tail of a dependency that is usually fast and
 * occasionally very slow. Pure: every random draw comes from an injected uniform source
 * (the harness's seeded `Rng` from `core/rng.ts`), so a run's chaos replays exactly.
 *
 * Distribution: P(X > x) = (scale / x)^alpha for x >= scale.
 *   quantile(q) = scale * (1 - q)^(-1/alpha)
 *
 * Never summarise Pareto delays by their mean: the mean is infinite for alpha <= 1 and the
 * variance is infinite for alpha <= 2, so for the realistic tails (alpha 1.1..2) a sample
 * mean does not settle down however many draws are taken. Use quantiles (P50, P99, P99.9).
 */
import { validateParetoParams, type ParetoParams } from '../scenario/pareto-fit.ts';

// The parameters, quantile and percentile fit live with the scenario schema that resolves them.
export {
  paretoFromPercentiles,
  paretoFromQuantiles,
  paretoQuantile,
  validateParetoParams,
  type ParetoParams,
  type PercentileTargets,
  type QuantilePoint,
} from '../scenario/pareto-fit.ts';

/** Anything that yields uniform numbers in [0, 1): `Rng` from `core/rng.ts` fits. */
export interface UniformSource {
  next(): number;
}

export interface ParetoSamplerOptions extends ParetoParams {
  /** Upper bound on a draw (ms), e.g. the dependency's timeout. Omit for no cap. */
  cap?: number;
}

export interface ParetoSampler {
  readonly params: Readonly<ParetoSamplerOptions>;
  /** The next delay in milliseconds. */
  next(): number;
}

/**
 * The smallest positive value `1 - next()` can take from a 53-bit uniform source. Used
 * when a source misbehaves and returns 1, which would otherwise make U = 0 and the draw
 * infinite.
 */
const SMALLEST_UNIFORM = 2 ** -53;

/**
 * Inverse-transform sampler: x = scale * U^(-1/alpha) with U = 1 - source.next() in (0, 1].
 * Using 1 - next() makes each draw equal `paretoQuantile(params, next())`, so draws are
 * monotone in the uniform stream: the same seed at a larger scale gives proportionally
 * larger delays (common random numbers across intensity steps).
 */
export function createParetoSampler(options: ParetoSamplerOptions, source: UniformSource): ParetoSampler {
  validateParetoParams(options);
  const { alpha, scale, cap } = options;
  if (cap !== undefined && !(cap >= scale)) {
    throw new RangeError(`Pareto cap (${cap} ms) must be >= scale (${scale} ms)`);
  }
  const exponent = -1 / alpha;
  const upper = cap ?? Infinity;
  return {
    params: Object.freeze({ ...options }),
    next(): number {
      let u = 1 - source.next();
      if (!(u > 0)) u = SMALLEST_UNIFORM;
      const x = scale * Math.pow(u, exponent);
      return x < upper ? x : upper;
    },
  };
}

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

/** Anything that yields uniform numbers in [0, 1): `Rng` from `core/rng.ts` fits. */
export interface UniformSource {
  next(): number;
}

export interface ParetoParams {
  /** Tail index (> 0). Smaller is heavier: 1.16 is the "80/20" tail. */
  alpha: number;
  /** Minimum value and scale, in milliseconds (> 0). Every draw is >= scale. */
  scale: number;
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

/** A value the distribution should have at a quantile, e.g. `{ q: 0.99, valueMs: 250 }`. */
export interface QuantilePoint {
  /** Quantile in (0, 1): 0.5 for P50, 0.99 for P99. */
  q: number;
  valueMs: number;
}

/** Two of these percentiles fix a Pareto distribution. */
export interface PercentileTargets {
  p50Ms?: number;
  p90Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
}

const PERCENTILE_QUANTILES: Record<keyof PercentileTargets, number> = {
  p50Ms: 0.5,
  p90Ms: 0.9,
  p95Ms: 0.95,
  p99Ms: 0.99,
  p999Ms: 0.999,
};

/**
 * The smallest positive value `1 - next()` can take from a 53-bit uniform source. Used
 * when a source misbehaves and returns 1, which would otherwise make U = 0 and the draw
 * infinite.
 */
const SMALLEST_UNIFORM = 2 ** -53;

export function validateParetoParams(params: ParetoParams): void {
  const { alpha, scale } = params;
  if (!Number.isFinite(alpha) || alpha <= 0) {
    throw new RangeError(`Pareto alpha must be a finite number > 0, got ${alpha}`);
  }
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`Pareto scale must be a finite number of milliseconds > 0, got ${scale}`);
  }
}

/** The analytic quantile: scale * (1 - q)^(-1/alpha). q = 0 gives scale, q = 1 gives Infinity. */
export function paretoQuantile(params: ParetoParams, q: number): number {
  validateParetoParams(params);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  return params.scale * Math.pow(1 - q, -1 / params.alpha);
}

/**
 * Solves alpha and scale from two quantile points qa < qb with values va < vb:
 *   alpha = ln((1 - qa) / (1 - qb)) / ln(vb / va),  scale = va * (1 - qa)^(1/alpha).
 * Points may be given in either order.
 */
export function paretoFromQuantiles(a: QuantilePoint, b: QuantilePoint): ParetoParams {
  for (const p of [a, b]) {
    if (!(p.q > 0 && p.q < 1)) throw new RangeError(`quantile must be in (0, 1), got ${p.q}`);
    if (!Number.isFinite(p.valueMs) || p.valueMs <= 0) {
      throw new RangeError(`value at quantile ${p.q} must be a finite number of ms > 0, got ${p.valueMs}`);
    }
  }
  if (a.q === b.q) throw new RangeError(`the two quantiles must differ, both are ${a.q}`);
  const [lo, hi] = a.q < b.q ? [a, b] : [b, a];
  if (!(hi.valueMs > lo.valueMs)) {
    throw new RangeError(
      `a Pareto distribution is strictly increasing: the value at q=${hi.q} (${hi.valueMs} ms) ` +
        `must exceed the value at q=${lo.q} (${lo.valueMs} ms)`,
    );
  }
  const alpha = Math.log((1 - lo.q) / (1 - hi.q)) / Math.log(hi.valueMs / lo.valueMs);
  const scale = lo.valueMs * Math.pow(1 - lo.q, 1 / alpha);
  return { alpha, scale };
}

/** Solves alpha and scale from exactly two named percentiles, e.g. `{ p50Ms: 5, p99Ms: 200 }`. */
export function paretoFromPercentiles(targets: PercentileTargets): ParetoParams {
  const given = (Object.keys(PERCENTILE_QUANTILES) as Array<keyof PercentileTargets>).filter(
    (key) => targets[key] !== undefined,
  );
  if (given.length !== 2) {
    throw new RangeError(
      `give exactly two percentiles to solve a Pareto distribution (one of ${Object.keys(PERCENTILE_QUANTILES).join(', ')}), got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  const [first, second] = given as [keyof PercentileTargets, keyof PercentileTargets];
  return paretoFromQuantiles(
    { q: PERCENTILE_QUANTILES[first], valueMs: targets[first] as number },
    { q: PERCENTILE_QUANTILES[second], valueMs: targets[second] as number },
  );
}

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

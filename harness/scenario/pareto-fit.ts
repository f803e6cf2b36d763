/**
 * Pareto (type I) latency as a scenario declares it: the parameters, their validation, the
 * analytic quantile, and the fit of alpha and scale to two percentiles (`{ p50, p99 }` in a
 * scenario file). Pure arithmetic, no randomness: the scenario schema resolves a percentile
 * latency with it, and the chaos layer's sampler (chaos/pareto.ts) draws from the result.
 *
 * Distribution: P(X > x) = (scale / x)^alpha for x >= scale.
 *   quantile(q) = scale * (1 - q)^(-1/alpha)
 */

export interface ParetoParams {
  /** Tail index (> 0). Smaller is heavier: 1.16 is the "80/20" tail. */
  alpha: number;
  /** Minimum value and scale, in milliseconds (> 0). Every draw is >= scale. */
  scale: number;
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

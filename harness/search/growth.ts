/**
 * Growth fit: how a minimal violating pattern's latency grows with its repetition count n.
 * Two models are fitted by least squares on the log scale:
 *   polynomial   latency = c * n^k   (log-log:  ln L = ln c + k ln n)
 *   exponential  latency = c * b^n   (semi-log: ln L = ln c + n ln b)
 * and the class is picked by R^2 on the log scale, preferring the simpler (polynomial)
 * model unless the exponential one fits clearly better (or the polynomial degree is
 * implausibly high). Pure; measurements are injected.
 */

export interface GrowthPoint {
  n: number;
  latencyMs: number;
}

export type GrowthClass = 'constant' | 'linear' | 'polynomial' | 'exponential';

export interface ModelFit {
  /** Scale c. */
  c: number;
  /** Exponent k (polynomial) or base b (exponential). */
  rate: number;
  /** Coefficient of determination on the log scale. */
  r2: number;
}

export interface GrowthFit {
  class: GrowthClass;
  polynomial: ModelFit;
  exponential: ModelFit;
  /** Exponent k when the class is constant/linear/polynomial. */
  k: number | null;
  /** Base b when the class is exponential. */
  b: number | null;
  /** R^2 of the chosen model. */
  r2: number;
  points: number;
  /** Predicted latency (ms) at size n under the chosen model. */
  predict(n: number): number;
  /** Smallest n predicted to exceed budgetMs, or null if the model never gets there. */
  predictedCrossingSize(budgetMs: number): number | null;
}

export interface GrowthFitOptions {
  /**
   * The exponential model is chosen only when its log-scale residuals (1 - R^2) are below
   * this fraction of the polynomial model's (default 0.5): when close, the simpler wins.
   */
  exponentialResidualRatio?: number;
  /** Below this log-log slope the latency is called constant (default 0.25). */
  constantBelowK?: number;
  /** Up to this log-log slope it is called linear (default 1.4). */
  linearUpToK?: number;
}

interface Line {
  intercept: number;
  slope: number;
  r2: number;
}

/** Ordinary least squares of y on x, with R^2 (1 when y has no variance and the fit is exact). */
export function fitLine(xs: readonly number[], ys: readonly number[]): Line {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const e = (ys[i] as number) - (intercept + slope * (xs[i] as number));
    sse += e * e;
  }
  const r2 = syy === 0 ? 1 : Math.max(0, 1 - sse / syy);
  return { intercept, slope, r2 };
}

/** Fits both models to points with n >= 1 and latency > 0 (at least 3 of them). */
export function fitGrowth(points: readonly GrowthPoint[], opts: GrowthFitOptions = {}): GrowthFit {
  const usable = points.filter((p) => p.n >= 1 && p.latencyMs > 0 && Number.isFinite(p.latencyMs));
  if (usable.length < 3) throw new Error(`fitGrowth needs at least 3 points with n >= 1 and latency > 0, got ${usable.length}`);
  const lnL = usable.map((p) => Math.log(p.latencyMs));
  const poly = fitLine(
    usable.map((p) => Math.log(p.n)),
    lnL,
  );
  const expo = fitLine(
    usable.map((p) => p.n),
    lnL,
  );
  const polynomial: ModelFit = { c: Math.exp(poly.intercept), rate: poly.slope, r2: poly.r2 };
  const exponential: ModelFit = { c: Math.exp(expo.intercept), rate: Math.exp(expo.slope), r2: expo.r2 };
  const cls = classify(polynomial, exponential, opts);
  const isExp = cls === 'exponential';
  const predict = (n: number): number =>
    isExp ? exponential.c * exponential.rate ** n : cls === 'constant' ? Math.exp(mean(lnL)) : polynomial.c * n ** polynomial.rate;
  return {
    class: cls,
    polynomial,
    exponential,
    k: isExp ? null : polynomial.rate,
    b: isExp ? exponential.rate : null,
    r2: isExp ? exponential.r2 : polynomial.r2,
    points: usable.length,
    predict,
    predictedCrossingSize: (budgetMs) => crossing(cls, polynomial, exponential, predict, budgetMs),
  };
}

function classify(poly: ModelFit, expo: ModelFit, opts: GrowthFitOptions): GrowthClass {
  if (poly.rate < (opts.constantBelowK ?? 0.25)) return 'constant';
  if (expo.rate > 1 && exponentialFitsBetter(poly, expo, opts)) return 'exponential';
  return poly.rate <= (opts.linearUpToK ?? 1.4) ? 'linear' : 'polynomial';
}

/**
 * Both models are fitted to the same log latencies, so 1 - R^2 compares their residuals.
 * The exponential model needs clearly smaller residuals (exponentialResidualRatio), except
 * that a polynomial "fit" of degree above EXPONENTIAL_LOOKING_K is a blow-up in all but
 * name: there, residuals no worse suffice.
 */
function exponentialFitsBetter(poly: ModelFit, expo: ModelFit, opts: GrowthFitOptions): boolean {
  const residualPoly = 1 - poly.r2;
  const residualExpo = 1 - expo.r2;
  if (poly.rate > EXPONENTIAL_LOOKING_K && residualExpo <= residualPoly) return true;
  return residualExpo < residualPoly * (opts.exponentialResidualRatio ?? 0.5);
}

const EXPONENTIAL_LOOKING_K = 5;

function crossing(cls: GrowthClass, poly: ModelFit, expo: ModelFit, predict: (n: number) => number, budgetMs: number): number | null {
  if (cls === 'constant') return predict(1) > budgetMs ? 1 : null;
  const n =
    cls === 'exponential'
      ? Math.log(budgetMs / expo.c) / Math.log(expo.rate)
      : Math.exp(Math.log(budgetMs / poly.c) / poly.rate);
  if (!Number.isFinite(n)) return null;
  return Math.max(1, Math.ceil(n));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export interface GrowthProbeOptions {
  /** First repetition count (the minimal pattern's). */
  startN: number;
  /** Stop once a point is over budgetMs * stopFactor (default 4): enough to see the trend. */
  budgetMs: number;
  stopFactor?: number;
  /** Largest n to try (input size limit). */
  maxN: number;
  /** Points at most (default 12). */
  maxPoints?: number;
}

/**
 * Measures latency at increasing n for a growth fit: n grows geometrically (x1.5) from
 * half of startN, but by +1 once a point is past a quarter of the budget, so an
 * exponential pattern is not pumped into a minutes-long call. When half of startN is
 * already over the budget (a minimal input whose shrink was cut short), n is halved first
 * until a point is under it, so the fit sees the curve rise and not only its tail. At
 * least three points are taken where maxN allows (fitGrowth needs three). `measure`
 * should be a robust one (a median of fresh-isolate runs); points come back sorted by n.
 */
export async function collectGrowthPoints(measureAt: (n: number) => Promise<number>, opts: GrowthProbeOptions): Promise<GrowthPoint[]> {
  const points: GrowthPoint[] = [];
  const maxPoints = opts.maxPoints ?? 12;
  const stopAt = opts.budgetMs * (opts.stopFactor ?? 4);
  const measure = async (n: number): Promise<number> => {
    const latencyMs = await measureAt(n);
    points.push({ n, latencyMs });
    return latencyMs;
  };
  if (opts.maxN < 1) return points;
  const start = Math.min(opts.maxN, Math.max(1, Math.floor(opts.startN / 2)));
  const startLatency = await measure(start);
  for (let low = start, latency = startLatency; latency > opts.budgetMs && low > 1 && points.length < maxPoints - 2; ) {
    low = Math.floor(low / 2);
    latency = await measure(low);
  }
  for (let n = start, latency = startLatency; points.length < maxPoints; ) {
    if (latency > stopAt && points.length >= 3) break;
    n = latency > opts.budgetMs / 4 ? n + 1 : Math.max(n + 1, Math.round(n * 1.5));
    if (n > opts.maxN) break;
    latency = await measure(n);
  }
  return points.sort((a, b) => a.n - b.n);
}

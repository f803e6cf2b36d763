/**
 * Binomial tail probabilities for order-statistic confidence intervals.
 *
 * For n samples of a continuous distribution, the number of samples at or below the true
 * q-quantile is Binomial(n, q). The k-th smallest sample X(k) misses the quantile from
 * below with probability P(Bin < k) and from above with probability P(Bin >= k), so every
 * interval decision reduces to these two tails.
 *
 * Two evaluators share one interface:
 *  - exact: the probability mass over a window around the mean, built by the ratio
 *    recurrence from the mode and normalised by its own sum (no log-gamma, no cancellation;
 *    the window reaches 12 standard deviations plus 12 past the mean, so the mass it drops
 *    is far below double precision).
 *  - normal: a continuity-corrected normal with a one-term Edgeworth skewness correction,
 *    O(1) per call, used only when the variance n*q*(1-q) is large enough that it agrees
 *    with the exact tails to within a rank (tested at the switch).
 */

/** Variance n*q*(1-q) above which the normal approximation is used ('auto' method). */
export const NORMAL_APPROX_MIN_VARIANCE = 1000;

export type BinomialMethod = 'auto' | 'exact' | 'normal';

export interface BinomialTails {
  readonly n: number;
  readonly q: number;
  readonly method: 'exact' | 'normal';
  /** P(Bin(n, q) < k) = P(Bin <= k - 1): probability that X(k) lies above the quantile. */
  below(k: number): number;
  /** P(Bin(n, q) >= k): probability that X(k) lies below the quantile. */
  atLeast(k: number): number;
  /** Mean n*q. */
  readonly mean: number;
  /** Standard deviation sqrt(n*q*(1-q)). */
  readonly sd: number;
  /** Counts outside [lowestSupported, highestSupported] carry (numerically) no mass. */
  readonly lowestSupported: number;
  readonly highestSupported: number;
}

export function binomialTails(n: number, q: number, method: BinomialMethod = 'auto'): BinomialTails {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`binomialTails: n must be a positive integer, got ${n}`);
  if (!(q > 0 && q < 1)) throw new RangeError(`binomialTails: q must be in (0, 1), got ${q}`);
  const variance = n * q * (1 - q);
  const useNormal = method === 'normal' || (method === 'auto' && variance > NORMAL_APPROX_MIN_VARIANCE);
  return useNormal ? normalTails(n, q) : exactTails(n, q);
}

/** Exact tails from the windowed probability mass function. */
function exactTails(n: number, q: number): BinomialTails {
  const mean = n * q;
  const sd = Math.sqrt(n * q * (1 - q));
  const lo = Math.max(0, Math.floor(mean - 12 * sd - 12));
  const hi = Math.min(n, Math.ceil(mean + 12 * sd + 12));
  const pmf = windowedMass(n, q, lo, hi);
  // Separate cumulative sums from each end keep small tail probabilities accurate.
  const fromLow = new Float64Array(pmf.length);
  const fromHigh = new Float64Array(pmf.length);
  let acc = 0;
  for (let i = 0; i < pmf.length; i++) fromLow[i] = acc += pmf[i]!;
  acc = 0;
  for (let i = pmf.length - 1; i >= 0; i--) fromHigh[i] = acc += pmf[i]!;

  /** P(Bin <= c). */
  const cdf = (c: number): number => (c < lo ? 0 : c >= hi ? 1 : fromLow[c - lo]!);
  /** P(Bin >= c). */
  const survival = (c: number): number => (c <= lo ? 1 : c > hi ? 0 : fromHigh[c - lo]!);
  return {
    n, q, method: 'exact', mean, sd,
    lowestSupported: lo,
    highestSupported: hi,
    below: (k) => cdf(k - 1),
    atLeast: (k) => survival(k),
  };
}

/** Normalised Binomial(n, q) mass on [lo, hi], grown outward from the mode by exact ratios. */
function windowedMass(n: number, q: number, lo: number, hi: number): Float64Array {
  const pmf = new Float64Array(hi - lo + 1);
  const mode = Math.min(hi, Math.max(lo, Math.floor((n + 1) * q)));
  const odds = q / (1 - q);
  pmf[mode - lo] = 1;
  for (let k = mode; k < hi; k++) pmf[k + 1 - lo] = pmf[k - lo]! * ((n - k) / (k + 1)) * odds;
  for (let k = mode; k > lo; k--) pmf[k - 1 - lo] = pmf[k - lo]! * (k / (n - k + 1)) / odds;
  let total = 0;
  for (const p of pmf) total += p;
  for (let i = 0; i < pmf.length; i++) pmf[i] = pmf[i]! / total;
  return pmf;
}

/** Continuity-corrected normal tails with an Edgeworth skewness term. */
function normalTails(n: number, q: number): BinomialTails {
  const mean = n * q;
  const sd = Math.sqrt(n * q * (1 - q));
  const skew = (1 - 2 * q) / sd;
  /** Edgeworth correction: F(x) ~ Phi(z) - phi(z) * skew * (z^2 - 1) / 6. */
  const correction = (z: number): number => (normalDensity(z) * skew * (z * z - 1)) / 6;
  const cdf = (c: number): number => {
    const z = (c + 0.5 - mean) / sd;
    return clamp01(normalCdf(z) - correction(z));
  };
  const survival = (c: number): number => {
    const z = (c - 0.5 - mean) / sd;
    return clamp01(normalCdf(-z) + correction(z));
  };
  return {
    n, q, method: 'normal', mean, sd,
    lowestSupported: Math.max(0, Math.floor(mean - 40 * sd)),
    highestSupported: Math.min(n, Math.ceil(mean + 40 * sd)),
    below: (k) => (k <= 0 ? 0 : k > n ? 1 : cdf(k - 1)),
    atLeast: (k) => (k <= 0 ? 1 : k > n ? 0 : survival(k)),
  };
}

function clamp01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

export function normalDensity(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal CDF, to ~1e-15 relative in the lower tail: Marsaglia's series (2004) for
 * -3 <= z <= 0 and Laplace's continued fraction for the Mills ratio below -3 (60 terms are
 * exact to double precision there); the upper half by symmetry.
 */
export function normalCdf(z: number): number {
  if (z > 0) return 1 - normalCdf(-z);
  if (z < -3) return lowerTailContinuedFraction(-z);
  let sum = z;
  let term = z;
  const z2 = z * z;
  for (let i = 3; i < 200; i += 2) {
    term = (term * z2) / i;
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return 0.5 + normalDensity(z) * sum;
}

/** 1 - Phi(x) for x >= 3: phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))). */
function lowerTailContinuedFraction(x: number): number {
  let t = x;
  for (let k = 60; k >= 1; k--) t = x + k / t;
  return normalDensity(x) / t;
}

/** Inverse standard normal CDF: Acklam's rational approximation refined by one Halley step. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const poly = (coef: number[], x: number): number => coef.reduce((acc, k) => acc * x + k, 0);
  let x: number;
  if (p < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(p));
    x = poly(c, r) / (poly(d, r) * r + 1);
  } else if (p > 1 - 0.02425) {
    const r = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(c, r) / (poly(d, r) * r + 1);
  } else {
    const r = p - 0.5;
    const s = r * r;
    x = (poly(a, s) * r) / (poly(b, s) * s + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}

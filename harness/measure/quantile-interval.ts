/**
 * Distribution-free confidence intervals for a quantile from order statistics
 * (Hahn & Meeker, "Statistical Intervals", ch. 5).
 *
 * For n samples and ranks l < u (1-based), [X(l), X(u)] contains the true q-quantile with
 * probability at least  B(u-1; n, q) - B(l-1; n, q) = 1 - P(Bin < l) - P(Bin >= u),
 * whatever the (continuous) distribution. The ranks are chosen, in this order of preference:
 *  1. bound both sides when any pair of ranks can reach the confidence, else bound one
 *     side (the upper one when either could: it is the side that proves an SLO is met);
 *  2. the narrowest such pair (fewest ranks between l and u);
 *  3. among equally narrow pairs, the most even split of the miss probability between the
 *     two tails (roughly alpha/2 each).
 * The choice depends on n, q and the confidence only, never on the data, so the coverage
 * guarantee holds. A side that no rank can bound has rank null ("not bounded by the data").
 */
import type { QuantileInterval } from '../core/results-schema.ts';
import { binomialTails, normalQuantile } from './binomial.ts';
import type { BinomialMethod, BinomialTails } from './binomial.ts';
import { maxUs, minUs, valueAtRankLowUs, valueAtRankUs } from './histogram.ts';
import type { Histogram } from './histogram.ts';

export interface QuantileRanks {
  /** 1-based rank of the lower bound, or null when no rank bounds the quantile from below. */
  lowerRank: number | null;
  /** 1-based rank of the upper bound, or null when no rank bounds the quantile from above. */
  upperRank: number | null;
  /** Guaranteed coverage of the chosen ranks (>= the requested confidence). */
  coverage: number;
}

interface Candidate {
  lower: number | null;
  upper: number | null;
  missLow: number;
  missHigh: number;
}

/** How far around the equal-tailed ranks the normal-approximation search looks. */
const NORMAL_SEARCH_RADIUS = 4;

/**
 * Ranks of the order statistics bounding the q-quantile of n samples at `confidence`.
 * Exact for small variance, O(1) for large n. q = 1 (the max) gives [n, n].
 */
export function quantileRanks(n: number, q: number, confidence = 0.95, method: BinomialMethod = 'auto'): QuantileRanks {
  validate(n, q, confidence);
  if (n === 0) return { lowerRank: null, upperRank: null, coverage: 0 };
  if (q === 1) return { lowerRank: n, upperRank: n, coverage: 1 };
  const tails = binomialTails(n, q, method);
  const alpha = 1 - confidence;
  const candidates = tails.method === 'exact' ? exactCandidates(tails, alpha) : normalCandidates(tails, alpha);
  const best = candidates.reduce((a, b) => (isBetter(b, a, n) ? b : a));
  return { lowerRank: best.lower, upperRank: best.upper, coverage: 1 - best.missLow - best.missHigh };
}

function validate(n: number, q: number, confidence: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer, got ${n}`);
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

/** Lexicographic preference: bounded sides, then upper-bounded, then width, then tail balance. */
function isBetter(a: Candidate, b: Candidate, n: number): boolean {
  const sides = (c: Candidate): number => (c.lower === null ? 0 : 1) + (c.upper === null ? 0 : 1);
  if (sides(a) !== sides(b)) return sides(a) > sides(b);
  if ((a.upper === null) !== (b.upper === null)) return a.upper !== null;
  const width = (c: Candidate): number => (c.upper ?? n + 1) - (c.lower ?? 0);
  if (width(a) !== width(b)) return width(a) < width(b);
  return Math.abs(a.missLow - a.missHigh) < Math.abs(b.missLow - b.missHigh);
}

/** For a lower rank (or none), the tightest upper rank that keeps the total miss within alpha. */
function bestUpperFor(tails: BinomialTails, lower: number | null, alpha: number, hint?: number): Candidate | null {
  const missLow = lower === null ? 0 : tails.below(lower);
  if (missLow > alpha) return null;
  const budget = alpha - missLow;
  const floor = (lower ?? 0) + 1;
  const upper = smallestRank(floor, tails.n, (u) => tails.atLeast(u) <= budget, hint);
  return { lower, upper, missLow, missHigh: upper === null ? 0 : tails.atLeast(upper) };
}

/** Every lower rank with mass in the window (plus none): cheap because the variance is small. */
function exactCandidates(tails: BinomialTails, alpha: number): Candidate[] {
  const out: Candidate[] = [];
  const none = bestUpperFor(tails, null, alpha);
  if (none) out.push(none);
  const first = Math.max(1, tails.lowestSupported);
  for (let l = first; l <= tails.n; l++) {
    const c = bestUpperFor(tails, l, alpha);
    if (c === null) break; // below() only grows with l
    out.push(c);
  }
  return out;
}

/** Lower ranks near the equal-tailed choice; with sd > 30 the optimum sits within a few ranks. */
function normalCandidates(tails: BinomialTails, alpha: number): Candidate[] {
  const guess = Math.floor(tails.mean + 0.5 + tails.sd * normalQuantile(alpha / 2));
  const equalTailLower = largestRank(1, tails.n, (l) => tails.below(l) <= alpha / 2, guess);
  const out: Candidate[] = [];
  if (equalTailLower === null) return out;
  const upperHint = Math.ceil(tails.mean + 0.5 - tails.sd * normalQuantile(alpha / 2));
  for (let d = -NORMAL_SEARCH_RADIUS; d <= NORMAL_SEARCH_RADIUS; d++) {
    const l = equalTailLower + d;
    if (l < 1) continue;
    const c = bestUpperFor(tails, l, alpha, upperHint);
    if (c) out.push(c);
  }
  return out;
}

/**
 * Smallest k in [from, to] with `ok(k)`, for a predicate false then true as k grows; null when
 * none. Gallops from `hint` so normal-mode searches over huge n take a handful of steps.
 */
function smallestRank(from: number, to: number, ok: (k: number) => boolean, hint?: number): number | null {
  if (from > to || !ok(to)) return null;
  let hi = to;
  let lo = from - 1; // invariant: ok(hi), !ok(lo) (lo = from - 1 is a virtual false)
  if (hint !== undefined && hint > from && hint < to) {
    const h = Math.round(hint);
    if (ok(h)) {
      hi = h;
      for (let step = 1; hi - step >= from; step *= 2) {
        if (!ok(hi - step)) { lo = hi - step; break; }
        hi -= step;
      }
    } else {
      lo = h;
      for (let step = 1; lo + step <= to; step *= 2) {
        if (ok(lo + step)) { hi = lo + step; break; }
        lo += step;
      }
    }
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Largest k in [from, to] with `ok(k)`, for a predicate true then false as k grows. */
function largestRank(from: number, to: number, ok: (k: number) => boolean, hint?: number): number | null {
  // Mirror k -> from + to - k turns it into a smallest-rank search.
  const mirror = (k: number): number => from + to - k;
  const found = smallestRank(from, to, (k) => ok(mirror(k)), hint === undefined ? undefined : mirror(hint));
  return found === null ? null : mirror(found);
}

/**
 * The confidence interval of the q-quantile of the values in `h`, in ms. The lower bound is
 * the lowest value of its order statistic's bucket and the upper bound the highest, so the
 * histogram's resolution only widens the interval. An unbounded side has rank null and takes
 * the recorded min (lower) or max (upper) as a display value: it is NOT a bound.
 * For q = 1 the interval is [max, max]: the max is observed, not estimated.
 */
export function quantileInterval(h: Histogram, q: number, confidence = 0.95): QuantileInterval {
  const n = h.totalCount;
  const ranks = quantileRanks(n, q, confidence);
  if (n === 0) return { confidence, lowerMs: 0, upperMs: 0, lowerRank: null, upperRank: null };
  const lowerUs = ranks.lowerRank === null ? minUs(h) : valueAtRankLowUs(h, ranks.lowerRank);
  const upperUs = ranks.upperRank === null ? maxUs(h) : valueAtRankUs(h, ranks.upperRank);
  const collapsed = q === 1 ? maxUs(h) : null; // keep [max, max] exact for the max metric
  return {
    confidence,
    lowerMs: (collapsed ?? lowerUs) / 1000,
    upperMs: (collapsed ?? upperUs) / 1000,
    lowerRank: ranks.lowerRank,
    upperRank: ranks.upperRank,
  };
}

/** Fewest samples for which some rank bounds the q-quantile from above (p99 at 95%: 299). */
export function minSamplesForUpperBound(q: number, confidence = 0.95): number {
  // Only the max can be the bound at the threshold: P(max < quantile) = q^n <= alpha.
  return q >= 1 ? 1 : Math.ceil(Math.log(1 - confidence) / Math.log(q) - 1e-12);
}

/** Fewest samples for which some rank bounds the q-quantile from below: (1-q)^n <= alpha. */
export function minSamplesForLowerBound(q: number, confidence = 0.95): number {
  return q >= 1 ? 1 : Math.ceil(Math.log(1 - confidence) / Math.log(1 - q) - 1e-12);
}

/**
 * SLO verdicts with honest uncertainty. A percentile SLO PASSES when the upper bound of the
 * percentile's confidence interval is under the threshold, FAILS when the lower bound is
 * over it, and is INCONCLUSIVE otherwise, with an estimate of the sample count that would
 * decide if the observed distribution held. The `max` SLO is judged on the observed max.
 */
import type { QuantileInterval, SloResult, Verdict } from '../core/results-schema.ts';
import { METRIC_QUANTILE } from '../scenario/types.ts';
import type { SloMetric } from '../scenario/types.ts';
import { maxUs, valueAtQuantileMs, valueAtRankLowUs, valueAtRankUs } from './histogram.ts';
import type { Histogram } from './histogram.ts';
import { minSamplesForLowerBound, minSamplesForUpperBound, quantileInterval, quantileRanks } from './quantile-interval.ts';
import { applyStallRuleWith, type StallMeasure } from './stall.ts';

export { STALL_SHARE_LIMIT, stallSummary, stallReason, type StallMeasure, type StallSummary } from './stall.ts';

/** Beyond this many samples "would decide" is not a useful answer: report null instead. */
export const MAX_SAMPLES_TO_DECIDE = 1e12;

export function sloVerdict(h: Histogram, metric: SloMetric, thresholdMs: number, confidence = 0.95): SloResult {
  const n = h.totalCount;
  if (n === 0) return noSamples(metric, thresholdMs, confidence);
  if (metric === 'max') return maxVerdict(h, thresholdMs, confidence);

  const q = METRIC_QUANTILE[metric];
  const interval = quantileInterval(h, q, confidence);
  const observedMs = valueAtQuantileMs(h, q);
  const base = { metric, thresholdMs, observedMs, sampleCount: n, interval };
  const described = describe(metric, observedMs, interval, n);

  if (interval.upperRank !== null && interval.upperMs < thresholdMs) {
    return { ...base, verdict: 'PASS', samplesToDecide: null, explanation: `${described} is under the ${fmtThreshold(thresholdMs)} SLO` };
  }
  if (interval.lowerRank !== null && interval.lowerMs > thresholdMs) {
    return { ...base, verdict: 'FAIL', samplesToDecide: null, explanation: `${described} is over the ${fmtThreshold(thresholdMs)} SLO` };
  }
  const towardsPass = observedMs < thresholdMs;
  const fraction = empiricalFractionForDecision(h, towardsPass, thresholdMs);
  // With bucket edges the fraction can land on the wrong side of q when the observed value
  // sits in the threshold's own bucket: then no sample count decides.
  const consistent = towardsPass ? fraction > q : fraction < q;
  const needed = consistent ? samplesToDecide(fraction, q, confidence, n + 1) : null;
  const missingSide = towardsPass ? (interval.upperRank === null ? 'above' : null) : interval.lowerRank === null ? 'below' : null;
  const explanation = inconclusiveExplanation({ metric, q, confidence, n, missingSide, described, thresholdMs, needed });
  return { ...base, verdict: 'INCONCLUSIVE', samplesToDecide: needed, explanation };
}

/**
 * The fraction of samples that would count on the deciding side of the threshold, measured
 * with the same bucket edges the interval uses (upper: bucket top, lower: bucket bottom),
 * so the pure `samplesToDecide` model agrees with the verdict at the current n.
 *  - towardsPass: fraction of ranks whose upper estimate is under the threshold;
 *  - otherwise:   fraction of ranks whose lower estimate is at or under the threshold.
 */
export function empiricalFractionForDecision(h: Histogram, towardsPass: boolean, thresholdMs: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  const thresholdUs = thresholdMs * 1000;
  const counts = towardsPass
    ? (k: number): boolean => valueAtRankUs(h, k) < thresholdUs
    : (k: number): boolean => valueAtRankLowUs(h, k) <= thresholdUs;
  // Largest k in [0, n] with counts(k): the predicate holds for a prefix of ranks.
  let lo = 0;
  let hi = n + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (counts(mid)) lo = mid;
    else hi = mid;
  }
  return lo / n;
}

/**
 * The smallest sample count n >= fromN at which, if a fraction `cdfAtThreshold` of samples
 * kept falling at or under the threshold, the q-quantile's interval would lie wholly on one
 * side: under it (PASS, when cdfAtThreshold > q) or over it (FAIL, when cdfAtThreshold < q).
 * Null when it never would (cdfAtThreshold = q) or only beyond MAX_SAMPLES_TO_DECIDE.
 * Found by galloping then bisection; rank rounding makes "decided" not perfectly monotone
 * in n near the boundary, so the answer is exact to within a few samples.
 */
export function samplesToDecide(cdfAtThreshold: number, q: number, confidence = 0.95, fromN = 1): number | null {
  if (!(cdfAtThreshold >= 0 && cdfAtThreshold <= 1)) throw new RangeError(`cdfAtThreshold must be in [0, 1], got ${cdfAtThreshold}`);
  if (q >= 1 || cdfAtThreshold === q) return null;
  const decided = (n: number): boolean => decidesAt(n, cdfAtThreshold, q, confidence);
  let lo = Math.max(1, Math.floor(fromN)) - 1;
  if (decided(lo + 1)) return lo + 1;
  let hi = Math.max(2 * (lo + 1), 2);
  while (!decided(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_SAMPLES_TO_DECIDE) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (decided(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function decidesAt(n: number, cdf: number, q: number, confidence: number): boolean {
  const ranks = quantileRanks(n, q, confidence);
  // Whole samples, rounded against the decision: a fraction of a sample decides nothing.
  const expected = cdf * n;
  const tolerance = 1e-9 * n; // binary fractions such as 0.1 * 30
  if (cdf > q) return ranks.upperRank !== null && ranks.upperRank <= Math.floor(expected + tolerance);
  return ranks.lowerRank !== null && ranks.lowerRank > Math.ceil(expected - tolerance);
}

/**
 * The stall rule (measure/stall.ts) on a scenario's verdicts, with each SLO's counts read
 * from the same histogram the verdicts came from. Returns the verdicts unchanged when at
 * most 1% of the phase was stalled.
 */
export function applyStallRule(results: SloResult[], h: Histogram, stall: StallMeasure): SloResult[] {
  return applyStallRuleWith(results, stall, (r) => {
    const n = h.totalCount;
    return { n, atOrUnder: Math.round(empiricalFractionForDecision(h, false, r.thresholdMs) * n) };
  });
}

/** FAIL if any SLO failed or anything was found, else INCONCLUSIVE if any was, else PASS. */
export function overallVerdict(results: SloResult[], findings: number): Verdict {
  if (findings > 0 || results.some((r) => r.verdict === 'FAIL')) return 'FAIL';
  if (results.some((r) => r.verdict === 'INCONCLUSIVE')) return 'INCONCLUSIVE';
  return 'PASS';
}

function maxVerdict(h: Histogram, thresholdMs: number, confidence: number): SloResult {
  const n = h.totalCount;
  const maxMs = maxUs(h) / 1000;
  const fail = maxMs > thresholdMs;
  return {
    metric: 'max',
    thresholdMs,
    observedMs: maxMs,
    sampleCount: n,
    interval: { confidence, lowerMs: maxMs, upperMs: maxMs, lowerRank: n, upperRank: n },
    verdict: fail ? 'FAIL' : 'PASS',
    samplesToDecide: null,
    explanation: `max ${fmtMs(maxMs)} (observed over n=${fmtCount(n)}, no interval needed) is ${fail ? 'over' : 'within'} the ${fmtThreshold(thresholdMs)} SLO`,
  };
}

function noSamples(metric: SloMetric, thresholdMs: number, confidence: number): SloResult {
  return {
    metric,
    thresholdMs,
    observedMs: 0,
    sampleCount: 0,
    interval: { confidence, lowerMs: 0, upperMs: 0, lowerRank: null, upperRank: null },
    verdict: 'INCONCLUSIVE',
    samplesToDecide: null,
    explanation: `no samples were recorded, so ${metric} cannot be judged against the ${fmtThreshold(thresholdMs)} SLO`,
  };
}

interface InconclusiveContext {
  metric: SloMetric;
  q: number;
  confidence: number;
  n: number;
  /** The side the data cannot bound yet, when that is what keeps the verdict open. */
  missingSide: 'above' | 'below' | null;
  described: string;
  thresholdMs: number;
  needed: number | null;
}

function inconclusiveExplanation(c: InconclusiveContext): string {
  const outlook = c.needed === null
    ? `more samples would not decide: the observed ${c.metric} is at the SLO within the histogram's resolution`
    : `~${fmtCount(roundForDisplay(c.needed))} samples would decide`;
  if (c.missingSide !== null) {
    const minimum = c.missingSide === 'above' ? minSamplesForUpperBound(c.q, c.confidence) : minSamplesForLowerBound(c.q, c.confidence);
    return `too few samples: n=${fmtCount(c.n)} cannot bound ${c.metric} from ${c.missingSide} (needs >= ${fmtCount(minimum)}); ${outlook}`;
  }
  return `${c.described} straddles the ${fmtThreshold(c.thresholdMs)} SLO; ${outlook}`;
}

function describe(metric: SloMetric, observedMs: number, interval: QuantileInterval, n: number): string {
  const pct = `${+(interval.confidence * 100).toFixed(2)}%`;
  const lower = interval.lowerRank === null ? null : interval.lowerMs;
  const upper = interval.upperRank === null ? null : interval.upperMs;
  // An unbounded side is shown as such, never as the data extreme the schema carries.
  const range = lower !== null && upper !== null ? `${fmtNumber(lower)}–${fmtMs(upper)}`
    : lower !== null ? `>= ${fmtMs(lower)}`
    : upper !== null ? `<= ${fmtMs(upper)}`
    : 'unbounded';
  return `${metric} ${fmtMs(observedMs)} (${pct} CI ${range}, n=${fmtCount(n)})`;
}

/** Two significant figures from 1,000: "~2,100", not "~2,087", since the estimate is rough. */
function roundForDisplay(n: number): number {
  if (n < 1000) return n;
  const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / magnitude) * magnitude;
}

function fmtNumber(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(ms >= 0.1 ? 2 : 3);
}

function fmtMs(ms: number): string {
  return `${fmtNumber(ms)} ms`;
}

/** Thresholds are round numbers the user wrote: "5 ms", "0.25 ms". */
function fmtThreshold(ms: number): string {
  return `${+ms.toPrecision(6)} ms`;
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

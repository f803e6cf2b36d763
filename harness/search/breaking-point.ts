/**
 * Breaking-point search: the lowest chaos intensity (Pareto scale, toxic latency, CPU duty,
 * request rate...) at which P99 provably exceeds the SLO. Pure: the measurement of a step
 * (start chaos, drive load, collect a histogram) is the injected `measure` callback, and
 * the budget is the injected `shouldStop`, so this runs in unit tests without clocks.
 *
 * A step's outcome comes from the P99 confidence interval, never from the point estimate:
 *   fail         CI lower bound > SLO      (P99 is above the SLO with confidence)
 *   pass         CI upper bound < SLO      (P99 is below the SLO with confidence)
 *   inconclusive the CI straddles the SLO  (too few samples to tell, or P99 ~ SLO)
 *
 * The search:
 *  1. Measure lo. If it fails the breaking point is at or below the range: 'below-range'.
 *  2. Measure hi. If it passes nothing broke within the range: 'not-broken'.
 *  3. Bisect. An inconclusive step is re-measured once with `remeasureFactor` times its
 *     samples; if it is still inconclusive it belongs to the *boundary region*.
 *
 * Conservative rule for the boundary region: bracket ends are only ever moved by proven
 * steps, so `bracket.failing` is always a proven fail and `bracket.passing` a proven pass;
 * an inconclusive step moves neither. Instead it splits the remaining gap in two, and the
 * search narrows first the gap just below the lowest proven fail (that gap decides the
 * reported breaking point), then the gap just above the highest proven pass (that decides
 * the highest intensity we may call safe). Inconclusive steps between the two ends are
 * reported as `boundary`; its width is the resolution the measurement allows at this
 * sample size, and it never shrinks the bracket below that.
 *
 * Status: 'found' when both a proven pass and a proven fail bracket the crossing and both
 * gaps are within tolerance (a boundary region between them is normal with noisy steps:
 * it is the resolution of the measurement, reported in `boundary`); 'inconclusive' when
 * the search converged without one of the two ends (hi never failed provably, or every
 * step below the lowest fail straddled the SLO); 'budget-exhausted' when `maxSteps` or
 * `shouldStop()` ended the search first.
 */

/** One measured intensity step, as the `measure` callback reports it. Latencies in ms. */
export interface StepMeasurement {
  intensity: number;
  p50Ms: number;
  p99Ms: number;
  /** Lower bound of the P99 confidence interval. */
  p99Lower: number;
  /** Upper bound of the P99 confidence interval; Infinity when too few samples bound it. */
  p99Upper: number;
  /** Latency samples behind the percentiles (successful calls). */
  samples: number;
  /** Calls that failed (errors, resets, timeouts not recorded as latency). */
  errors: number;
}

export interface MeasureOptions {
  /** How many samples to collect; null means the callback's own default. */
  samplesHint: number | null;
}

export type MeasureStep = (intensity: number, options: MeasureOptions) => Promise<StepMeasurement>;

export type StepOutcome = 'pass' | 'fail' | 'inconclusive';

/** A measured step with the outcome the search gave it. */
export interface CurvePoint extends StepMeasurement {
  outcome: StepOutcome;
  /** True when this is the re-measurement (more samples) of an inconclusive first try. */
  remeasured: boolean;
}

export type BreakingPointStatus = 'found' | 'below-range' | 'not-broken' | 'inconclusive' | 'budget-exhausted';

export interface BreakingPointResult {
  knob: string;
  slo: { metric: 'p99'; thresholdMs: number };
  range: { lo: number; hi: number };
  tolerance: number;
  /** Every step's final measurement (re-measured steps replace their first try), sorted by intensity. */
  curve: CurvePoint[];
  /** Highest proven pass below the breaking point, lowest proven fail. */
  bracket: { passing: number | null; failing: number | null };
  /** The lowest intensity whose P99 interval lies above the SLO (= bracket.failing). */
  breakingPoint: number | null;
  /**
   * Where the P99 point estimates cross the SLO, interpolated between adjacent curve points
   * (log-linear). An estimate for plots and prose, not a proven bound.
   */
  crossingEstimate: number | null;
  /** Intensities whose interval still straddled the SLO after re-measurement, between the bracket ends. */
  boundary: { lo: number; hi: number } | null;
  status: BreakingPointStatus;
  /** Number of measure calls made, re-measurements included. */
  steps: number;
}

export interface BreakingPointOptions {
  /** Name of the intensity knob, for the report (e.g. 'dependency.attributes.pareto.scale'). */
  knob: string;
  range: { lo: number; hi: number };
  sloP99Ms: number;
  measure: MeasureStep;
  /** Stop when (failing - below) / below < tolerance. Default 0.05. */
  tolerance?: number;
  /** Also stop narrowing a gap narrower than this in absolute units (for ranges starting at 0). Default 0. */
  absoluteTolerance?: number;
  /** Upper bound on measure calls. Default 24. */
  maxSteps?: number;
  /** Budget check before every measure call (wall clock, Ctrl-C...). */
  shouldStop?: () => boolean;
  /** samplesHint for ordinary steps. Default null (the callback decides). */
  baseSamples?: number | null;
  /**
   * An inconclusive step is re-measured once with this many times its samples. Default 16
   * (a quarter of the CI width). Boundary steps then dominate the cost (about 3x the samples
   * of a factor of 4 on the synthetic Pareto target) but the lowest proven fail sits a CI
   * half-width above the true crossing, so this factor sets the reported point's accuracy.
   */
  remeasureFactor?: number;
  /** A step whose errors / (samples + errors) exceeds this fails regardless of latency. Default: errors never decide. */
  maxErrorRatio?: number;
  /** Called after every measure call, for progress display. */
  onStep?: (point: CurvePoint) => void;
}

/** Above this hi/lo ratio the midpoint is geometric; see {@link midpoint}. */
export const GEOMETRIC_RATIO = 4;

/**
 * Geometric midpoint while the bracket spans more than a factor of 4, arithmetic after.
 * Knob ranges often span orders of magnitude (scale 0.1..100 ms, rate 100..10,000 req/s)
 * and the stopping rule is relative, so halving the log-width is what reduces the number
 * of steps; arithmetic halving of [1, 1000] spends its first steps at 500, 250, 125...
 * Within a factor of 4 the two midpoints differ by at most 25%, and the arithmetic one
 * is the natural choice for knobs whose effect is about linear and gives readable values.
 */
export function midpoint(a: number, b: number): number {
  if (a > 0 && b / a > GEOMETRIC_RATIO) return Math.sqrt(a * b);
  return (a + b) / 2;
}

export function classifyStep(step: StepMeasurement, sloP99Ms: number, maxErrorRatio?: number): StepOutcome {
  if (maxErrorRatio !== undefined && step.errors > 0) {
    const ratio = step.errors / (step.samples + step.errors);
    if (ratio > maxErrorRatio) return 'fail';
  }
  if (step.p99Lower > sloP99Ms) return 'fail';
  if (step.p99Upper < sloP99Ms) return 'pass';
  return 'inconclusive';
}

function validateOptions(options: BreakingPointOptions): void {
  const { lo, hi } = options.range;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo < 0 || !(hi > lo)) {
    throw new RangeError(`breaking-point range must satisfy 0 <= lo < hi (finite), got [${lo}, ${hi}]`);
  }
  if (!Number.isFinite(options.sloP99Ms) || options.sloP99Ms <= 0) {
    throw new RangeError(`SLO P99 must be a positive number of ms, got ${options.sloP99Ms}`);
  }
  const tolerance = options.tolerance ?? 0.05;
  if (!(tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${tolerance}`);
  if (options.remeasureFactor !== undefined && !(options.remeasureFactor > 1)) {
    throw new RangeError(`remeasureFactor must be > 1, got ${options.remeasureFactor}`);
  }
}

function validateMeasurement(step: StepMeasurement, intensity: number): void {
  if (Number.isNaN(step.p99Lower) || Number.isNaN(step.p99Upper) || step.p99Lower > step.p99Upper) {
    throw new RangeError(
      `measure(${intensity}) returned an invalid P99 interval [${step.p99Lower}, ${step.p99Upper}]; ` +
        'report [0, Infinity] when there are too few samples',
    );
  }
  if (!(step.samples >= 0) || !(step.errors >= 0)) {
    throw new RangeError(`measure(${intensity}) returned negative or missing counts`);
  }
}

/** True while the gap (a, b) is still wider than the tolerances. */
function gapIsOpen(a: number, b: number, tolerance: number, absoluteTolerance: number): boolean {
  if (b - a <= absoluteTolerance) return false;
  if (a <= 0) return true;
  return (b - a) / a >= tolerance;
}

/** Interpolates where the P99 point estimates first cross the SLO (log-linear in latency). */
export function estimateCrossing(curve: readonly StepMeasurement[], sloP99Ms: number): number | null {
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1] as StepMeasurement;
    const b = curve[i] as StepMeasurement;
    if (a.p99Ms <= sloP99Ms && b.p99Ms > sloP99Ms) {
      if (!(a.p99Ms > 0) || !Number.isFinite(b.p99Ms)) return b.intensity;
      const t = Math.log(sloP99Ms / a.p99Ms) / Math.log(b.p99Ms / a.p99Ms);
      return a.intensity + t * (b.intensity - a.intensity);
    }
  }
  return null;
}

/** Where the search stands, derived from the curve so far. */
interface SearchState {
  failing: number | null;
  passing: number | null;
  /** Highest measured intensity below `failing`, whatever its outcome. */
  belowFailing: number | null;
  /** Lowest inconclusive intensity above `passing` (and below `failing`). */
  lowestBoundary: number | null;
  boundary: { lo: number; hi: number } | null;
}

function deriveState(curve: readonly CurvePoint[]): SearchState {
  const sorted = [...curve].sort((x, y) => x.intensity - y.intensity);
  const failing = sorted.find((p) => p.outcome === 'fail')?.intensity ?? null;
  const below = sorted.filter((p) => failing === null || p.intensity < failing);
  const passing = [...below].reverse().find((p) => p.outcome === 'pass')?.intensity ?? null;
  const boundaryPoints = below.filter(
    (p) => p.outcome === 'inconclusive' && (passing === null || p.intensity > passing),
  );
  const first = boundaryPoints[0];
  const last = boundaryPoints[boundaryPoints.length - 1];
  return {
    failing,
    passing,
    belowFailing: failing === null ? null : (below[below.length - 1]?.intensity ?? null),
    lowestBoundary: first?.intensity ?? null,
    boundary: first && last ? { lo: first.intensity, hi: last.intensity } : null,
  };
}

/** The next intensity to measure, or null when both gaps are within tolerance. */
function nextIntensity(state: SearchState, tolerance: number, absoluteTolerance: number): number | null {
  const { failing, belowFailing, passing, lowestBoundary } = state;
  if (failing === null || belowFailing === null) return null;
  if (gapIsOpen(belowFailing, failing, tolerance, absoluteTolerance)) return midpoint(belowFailing, failing);
  if (passing !== null && lowestBoundary !== null && gapIsOpen(passing, lowestBoundary, tolerance, absoluteTolerance)) {
    return midpoint(passing, lowestBoundary);
  }
  return null;
}

export async function findBreakingPoint(options: BreakingPointOptions): Promise<BreakingPointResult> {
  validateOptions(options);
  const tolerance = options.tolerance ?? 0.05;
  const absoluteTolerance = options.absoluteTolerance ?? 0;
  const maxSteps = options.maxSteps ?? 24;
  const remeasureFactor = options.remeasureFactor ?? 16;
  const baseSamples = options.baseSamples ?? null;
  const curve: CurvePoint[] = [];
  let steps = 0;
  const budgetLeft = (): boolean => steps < maxSteps && !(options.shouldStop?.() ?? false);

  const measureOnce = async (intensity: number, samplesHint: number | null, remeasured: boolean): Promise<CurvePoint> => {
    steps++;
    const step = await options.measure(intensity, { samplesHint });
    validateMeasurement(step, intensity);
    const point: CurvePoint = {
      ...step,
      intensity,
      outcome: classifyStep(step, options.sloP99Ms, options.maxErrorRatio),
      remeasured,
    };
    options.onStep?.(point);
    return point;
  };

  /** Measures a step, re-measuring an inconclusive one once with more samples. Null when out of budget. */
  const measureStep = async (intensity: number): Promise<CurvePoint | null> => {
    if (!budgetLeft()) return null;
    let point = await measureOnce(intensity, baseSamples, false);
    if (point.outcome === 'inconclusive' && budgetLeft()) {
      const more = Math.ceil(Math.max(point.samples, baseSamples ?? 0, 1) * remeasureFactor);
      point = await measureOnce(intensity, more, true);
    }
    curve.push(point);
    return point;
  };

  const finish = (status: BreakingPointStatus): BreakingPointResult => {
    const sorted = [...curve].sort((x, y) => x.intensity - y.intensity);
    const state = deriveState(sorted);
    return {
      knob: options.knob,
      slo: { metric: 'p99', thresholdMs: options.sloP99Ms },
      range: { ...options.range },
      tolerance,
      curve: sorted,
      bracket: { passing: state.passing, failing: state.failing },
      breakingPoint: state.failing,
      crossingEstimate: estimateCrossing(sorted, options.sloP99Ms),
      boundary: state.boundary,
      status,
      steps,
    };
  };

  const low = await measureStep(options.range.lo);
  if (low === null) return finish('budget-exhausted');
  if (low.outcome === 'fail') return finish('below-range');
  const high = await measureStep(options.range.hi);
  if (high === null) return finish('budget-exhausted');
  if (high.outcome === 'pass') return finish('not-broken');

  for (;;) {
    const state = deriveState(curve);
    const next = nextIntensity(state, tolerance, absoluteTolerance);
    if (next === null) {
      return finish(state.failing !== null && state.passing !== null ? 'found' : 'inconclusive');
    }
    if ((await measureStep(next)) === null) return finish('budget-exhausted');
  }
}

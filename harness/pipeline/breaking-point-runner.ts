/**
 * Breaking-point search for function targets, wired to real runs: each step runs the
 * scenario's isolate for `stepDuration` with the chaos at that step's intensity
 * (drivers/isolate/breaking-point.ts; same seed every step, so inputs and dependency
 * delays are common random numbers), measures P99 with its order-statistic interval, and
 * feeds `findBreakingPoint` (search/, pure).
 * The whole search has an explicit wall-clock budget (`breakingPoint.budget`): a step
 * that would overrun it is not started, and the result says `budget-exhausted`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { applyKnob, describeKnob } from '../chaos/intensity.ts';
import { valueAtQuantileMs, type Histogram } from '../measure/histogram.ts';
import { quantileInterval } from '../measure/quantile-interval.ts';
import type { BreakingPointResult as BreakingPointReport, IntensityPoint } from '../core/results-schema.ts';
import type { ResolvedBreakingPoint, ResolvedChaos, ResolvedCpuChaos } from '../scenario/chaos-types.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import { findBreakingPoint, type BreakingPointResult, type CurvePoint, type StepMeasurement } from '../search/breaking-point.ts';
import { measureIsolateStep, type IsolateStep } from '../drivers/isolate/breaking-point.ts';

/** An inconclusive step is re-measured once for this many times the step duration. */
export const REMEASURE_FACTOR = 4;
/** Isolate start-up and shutdown beyond the measured time, before the first step tells us (ms). */
const STARTUP_ESTIMATE_MS = 1500;

/** A function scenario as far as the search needs it. */
export type BreakingPointScenario = ResolvedScenario & { chaos?: ResolvedChaos; breakingPoint?: ResolvedBreakingPoint };

export interface BreakingPointRunOptions {
  seed: number;
  /** Seed corpus entries, as the measured phase used them. */
  seeds: Uint8Array[];
  signal?: AbortSignal;
  onStep?: (point: CurvePoint) => void;
  /** CPU stressor defaults for `cpu.duty` when the scenario declares no chaos.cpu. */
  defaultCpu?: ResolvedCpuChaos;
  /** Measures one step; default drivers/isolate's `measureIsolateStep` (tests inject a deterministic one). */
  measureStep?: (chaos: ResolvedChaos, durationMs: number) => Promise<IsolateStep>;
}

/** P50, P99 and the P99's 95% interval of a step; an unbounded side is 0 or Infinity, as the search expects. */
export function stepFromHistogram(intensity: number, h: Histogram, errors: number): StepMeasurement {
  if (h.totalCount === 0) return { intensity, p50Ms: 0, p99Ms: 0, p99Lower: 0, p99Upper: Infinity, samples: 0, errors };
  const ci = quantileInterval(h, 0.99);
  return {
    intensity,
    p50Ms: valueAtQuantileMs(h, 0.5),
    p99Ms: valueAtQuantileMs(h, 0.99),
    p99Lower: ci.lowerRank === null ? 0 : ci.lowerMs,
    p99Upper: ci.upperRank === null ? Infinity : ci.upperMs,
    samples: h.totalCount,
    errors,
  };
}

/** The search's result in results.json's terms (JSON has no Infinity: an unbounded upper is null). */
export function toBreakingPointReport(result: BreakingPointResult, extra: { knobUnit: string | null; budgetMs: number; elapsedMs: number }): BreakingPointReport {
  const curve: IntensityPoint[] = result.curve.map((p) => ({
    intensity: p.intensity,
    p50Ms: p.p50Ms,
    p99Ms: p.p99Ms,
    p99LowerMs: p.p99Lower,
    p99UpperMs: Number.isFinite(p.p99Upper) ? p.p99Upper : null,
    samples: p.samples,
    errors: p.errors,
  }));
  return {
    knob: result.knob,
    knobUnit: extra.knobUnit,
    slo: result.slo,
    curve,
    bracket: result.bracket,
    breakingPoint: result.breakingPoint,
    crossingEstimate: result.crossingEstimate,
    status: result.status,
    range: result.range,
    tolerance: result.tolerance,
    boundary: result.boundary,
    steps: result.steps,
    budgetMs: extra.budgetMs,
    elapsedMs: extra.elapsedMs,
  };
}

function sloP99Ms(scenario: ResolvedScenario): number {
  const p99 = scenario.slo.thresholds.find((t) => t.metric === 'p99');
  if (!p99) throw new Error(`scenario ${scenario.name}: breakingPoint needs an SLO with a p99 threshold`);
  return p99.thresholdMs;
}

/** Runs the scenario's breaking-point search; null when the scenario declares none. */
export async function runBreakingPoint(scenario: BreakingPointScenario, opts: BreakingPointRunOptions): Promise<BreakingPointReport | null> {
  const spec = scenario.breakingPoint;
  if (!spec) return null;
  const knob = describeKnob(spec.knob);
  const defaultCpu = opts.defaultCpu ?? { duty: 0, threads: os.availableParallelism(), tool: 'burner' as const };
  const started = performance.now();
  let stepOverheadMs = STARTUP_ESTIMATE_MS;
  const elapsed = (): number => performance.now() - started;
  let stopReason: string | null = null;

  const measure = async (intensity: number, { samplesHint }: { samplesHint: number | null }): Promise<StepMeasurement> => {
    const remaining = spec.budgetMs - elapsed() - stepOverheadMs;
    const wanted = samplesHint === null ? spec.stepDurationMs : spec.stepDurationMs * REMEASURE_FACTOR;
    const durationMs = Math.max(spec.stepDurationMs, Math.min(wanted, remaining));
    const chaos = applyKnob(scenario.chaos, spec.knob, intensity, defaultCpu);
    const t0 = performance.now();
    let step: IsolateStep;
    try {
      step = await (opts.measureStep ? opts.measureStep(chaos, durationMs) : measureIsolateStep(scenario, chaos, durationMs, opts));
    } catch (error) {
      // A step whose isolate failed tells nothing: stop the search, keep what was measured.
      stopReason = error instanceof Error ? error.message : String(error);
      return { intensity, p50Ms: 0, p99Ms: 0, p99Lower: 0, p99Upper: Infinity, samples: 0, errors: 0 };
    }
    stepOverheadMs = Math.max(0, performance.now() - t0 - durationMs);
    const measured = stepFromHistogram(intensity, step.histogram, step.errors);
    step.histogram.destroy();
    return measured;
  };

  const result = await findBreakingPoint({
    knob: spec.knob,
    range: spec.range,
    sloP99Ms: sloP99Ms(scenario),
    measure,
    tolerance: spec.tolerance,
    maxSteps: spec.maxSteps,
    remeasureFactor: REMEASURE_FACTOR,
    shouldStop: () => stopReason !== null || (opts.signal?.aborted ?? false) || elapsed() + spec.stepDurationMs + stepOverheadMs > spec.budgetMs,
    ...(opts.onStep ? { onStep: opts.onStep } : {}),
  });
  const report = toBreakingPointReport(result, { knobUnit: knob.unit, budgetMs: spec.budgetMs, elapsedMs: elapsed() });
  if (stopReason === null && opts.signal?.aborted) stopReason = 'interrupted by signal';
  // The failed step's placeholder is not a measurement: drop it from the curve.
  if (stopReason !== null) report.curve = report.curve.filter((p) => p.samples > 0 || p.errors > 0);
  return stopReason === null ? report : { ...report, status: 'budget-exhausted', statusReason: stopReason };
}

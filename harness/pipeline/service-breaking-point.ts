/**
 * Breaking-point search for a running service: each step is one open-loop phase at the
 * step's intensity (drivers/http/breaking-point.ts), whose corrected P99 interval goes to
 * `findBreakingPoint` (search/, pure). The search's wall-clock budget and a dying service
 * both stop it.
 */
import { performance } from 'node:perf_hooks';
import type { BreakingPointResult as BreakingPointReport } from '../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import { findBreakingPoint, type CurvePoint, type StepMeasurement } from '../search/breaking-point.ts';
import { knobUnit, MAX_STEP_FACTOR, measureServiceStep, type ServiceStepContext } from '../drivers/http/breaking-point.ts';
import { stepFromHistogram, toBreakingPointReport } from './breaking-point-runner.ts';

export interface ServiceBreakingPointOptions extends ServiceStepContext {
  onStep?: (point: CurvePoint) => void;
}

/** The SLO's P99 threshold, which the search tests against. */
function sloP99(scenario: ResolvedServiceScenario): number | null {
  return scenario.slo.thresholds.find((t) => t.metric === 'p99')?.thresholdMs ?? null;
}

export async function runServiceBreakingPoint(opts: ServiceBreakingPointOptions): Promise<BreakingPointReport | null> {
  const { scenario, stack } = opts;
  const bp = scenario.breakingPoint;
  const threshold = sloP99(scenario);
  if (!bp || threshold === null) return null;
  const started = performance.now();

  const measure = async (intensity: number, { samplesHint }: { samplesHint: number | null }): Promise<StepMeasurement> => {
    const { histogram, errors } = await measureServiceStep(opts, intensity, samplesHint);
    const step = stepFromHistogram(intensity, histogram, errors);
    histogram.destroy();
    return step;
  };

  const result = await findBreakingPoint({
    knob: bp.knob,
    range: bp.range,
    sloP99Ms: threshold,
    measure,
    tolerance: bp.tolerance,
    maxSteps: bp.maxSteps,
    remeasureFactor: MAX_STEP_FACTOR,
    // A step that would overrun the budget is not started; nor is one after the service died.
    shouldStop: () =>
      (opts.signal?.aborted ?? false) ||
      stack.death() !== null ||
      performance.now() - started + bp.stepDurationMs > bp.budgetMs,
    // Most requests failing is a break whatever the latency of the few that answered.
    maxErrorRatio: 0.5,
    ...(opts.onStep ? { onStep: opts.onStep } : {}),
  });
  return toBreakingPointReport(result, { knobUnit: knobUnit(scenario), budgetMs: bp.budgetMs, elapsedMs: performance.now() - started });
}

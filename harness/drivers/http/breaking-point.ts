/**
 * Breaking-point search for a running service: each step sets the knob (request rate, or a
 * dependency's toxic latency through the Toxiproxy API), runs an open-loop phase and hands
 * the corrected P99 interval to `findBreakingPoint` (search/, pure). The search's wall-clock
 * budget and a dying service both stop it.
 */
import { performance } from 'node:perf_hooks';
import type { BreakingPointResult as BreakingPointReport } from '../../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../../scenario/service-types.ts';
import { findBreakingPoint, type CurvePoint, type StepMeasurement } from '../../search/breaking-point.ts';
import { stepFromHistogram, toBreakingPointReport } from '../../pipeline/breaking-point-runner.ts';
import { runLoadPhase } from './load-phase.ts';
import type { RequestSource } from './requests.ts';
import type { ServiceStack } from './stack.ts';

/** A re-measured (inconclusive) step runs at most this many times the step duration. */
const MAX_STEP_FACTOR = 4;

export interface ServiceBreakingPointOptions {
  scenario: ResolvedServiceScenario;
  stack: ServiceStack;
  source: RequestSource;
  signal?: AbortSignal;
  onStep?: (point: CurvePoint) => void;
}

export function knobUnit(scenario: ResolvedServiceScenario): string | null {
  const knob = scenario.breakingPoint?.target;
  return knob?.kind === 'rate' ? 'req/s' : knob ? 'ms' : null;
}

/** The SLO's P99 threshold, which the search tests against. */
function sloP99(scenario: ResolvedServiceScenario): number | null {
  return scenario.slo.thresholds.find((t) => t.metric === 'p99')?.thresholdMs ?? null;
}

export async function runServiceBreakingPoint(opts: ServiceBreakingPointOptions): Promise<BreakingPointReport | null> {
  const { scenario, stack, source } = opts;
  const bp = scenario.breakingPoint;
  const threshold = sloP99(scenario);
  if (!bp || threshold === null) return null;
  const started = performance.now();
  const knob = bp.target;

  const measure = async (intensity: number, { samplesHint }: { samplesHint: number | null }): Promise<StepMeasurement> => {
    if (knob.kind === 'dependency-latency') await stack.chaos.setLatency(knob.dependency, intensity);
    const rate = knob.kind === 'rate' ? intensity : scenario.service.rate;
    const base = Math.max(1, Math.round((rate * bp.stepDurationMs) / 1000));
    const requests = Math.min(Math.max(samplesHint ?? base, base), base * MAX_STEP_FACTOR);
    const phase = await runLoadPhase({
      origin: stack.origin,
      rate,
      connections: scenario.service.connections,
      timeoutMs: scenario.timeoutMs,
      requests,
      source,
      ...(opts.signal ? { signal: opts.signal } : {}),
      died: stack.died,
    });
    const step = stepFromHistogram(intensity, phase.corrected, phase.errors);
    phase.corrected.destroy();
    phase.uncorrected.destroy();
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

/**
 * One intensity step of a breaking-point search against a running service: the knob is set
 * (request rate, or a dependency's toxic latency through the Toxiproxy API) and one open-loop
 * phase runs. The search itself (pipeline/service-breaking-point.ts) turns each step's
 * corrected histogram into a P99 interval for `findBreakingPoint` (search/, pure).
 */
import type { Histogram } from '../../measure/histogram.ts';
import type { ResolvedServiceScenario } from '../../scenario/service-types.ts';
import { runLoadPhase } from './load-phase.ts';
import type { RequestSource } from './requests.ts';
import type { ServiceStack } from './stack.ts';

/** A re-measured (inconclusive) step runs at most this many times the step duration. */
export const MAX_STEP_FACTOR = 4;

/** What a step runs against. */
export interface ServiceStepContext {
  scenario: ResolvedServiceScenario;
  stack: ServiceStack;
  source: RequestSource;
  signal?: AbortSignal;
}

/** A step's corrected latencies (the caller destroys the histogram) and its failed requests. */
export interface ServiceStep {
  histogram: Histogram;
  errors: number;
}

export function knobUnit(scenario: ResolvedServiceScenario): string | null {
  const knob = scenario.breakingPoint?.target;
  return knob?.kind === 'rate' ? 'req/s' : knob ? 'ms' : null;
}

/**
 * Sets the knob to `intensity` and sends one step's requests: the step duration's worth at
 * the step's rate, or as many as the search asks for a re-measure (`samplesHint`), capped.
 */
export async function measureServiceStep(ctx: ServiceStepContext, intensity: number, samplesHint: number | null): Promise<ServiceStep> {
  const { scenario, stack } = ctx;
  const bp = scenario.breakingPoint;
  if (!bp) throw new Error(`scenario ${scenario.name}: no breakingPoint to step`);
  const knob = bp.target;
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
    source: ctx.source,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    died: stack.died,
  });
  phase.uncorrected.destroy();
  return { histogram: phase.corrected, errors: phase.errors };
}

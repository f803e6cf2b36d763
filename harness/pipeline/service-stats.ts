/**
 * What results.json says of a service's measured load phase beyond its latency summary:
 * the load actually sent, both latency views (corrected from intended send times, and
 * uncorrected), the sender's own lag, the timeline and the chaos in force.
 */
import { valueAtQuantileMs, type Histogram } from '../measure/histogram.ts';
import type { ChaosInForce, ServiceStats, TimelineWindow } from '../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import type { LoadPhaseResult } from '../drivers/http/load-phase.ts';
import type { ServiceStack } from '../drivers/http/stack.ts';

/** Width of a timeline window (ms). */
export const TIMELINE_WINDOW_MS = 250;

export function latencyPoints(h: Histogram): { p50Ms: number; p99Ms: number; maxMs: number } {
  if (h.totalCount === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  return { p50Ms: valueAtQuantileMs(h, 0.5), p99Ms: valueAtQuantileMs(h, 0.99), maxMs: valueAtQuantileMs(h, 1) };
}

export function serviceStats(scenario: ResolvedServiceScenario, stack: ServiceStack, phase: LoadPhaseResult): ServiceStats {
  const { load } = phase;
  return {
    command: stack.serviceArgv,
    origin: stack.origin,
    rate: load.rate,
    achievedRate: load.achievedRate,
    connections: scenario.service.connections,
    planned: load.planned,
    sent: load.sent,
    completed: load.completed,
    errors: { ...load.errors },
    corrected: latencyPoints(phase.corrected),
    uncorrected: latencyPoints(phase.uncorrected),
    lagP99Ms: load.lagP99Ms,
    maxLagMs: load.maxLagMs,
    proxy: { mode: stack.chaos.mode, url: stack.chaos.url },
    dependencies: stack.dependencies.map((d) => ({ name: d.name, upstream: d.upstream, proxied: d.proxied })),
    warnings: measurementWarnings(scenario, load),
  };
}

/** Share of the tightest threshold above which the sender's own lateness is worth a warning. */
const LAG_WARNING_SHARE = 0.2;

function measurementWarnings(scenario: ResolvedServiceScenario, load: LoadPhaseResult['load']): string[] {
  const warnings: string[] = [];
  const tightest = Math.min(...scenario.slo.thresholds.map((t) => t.thresholdMs));
  if (Number.isFinite(tightest) && load.lagP99Ms > LAG_WARNING_SHARE * tightest) {
    warnings.push(
      `the load generator fell behind its schedule (sender lag P99 ${load.lagP99Ms.toFixed(1)} ms, max ${load.maxLagMs.toFixed(1)} ms, against a ${tightest} ms threshold): ` +
        'the harness process was short of CPU; corrected latencies include this lag, so rerun on a quieter machine before blaming the service',
    );
  }
  if (load.achievedRate < 0.95 * load.rate) warnings.push(`achieved ${load.achievedRate.toFixed(0)} of ${load.rate} req/s`);
  return warnings;
}

export function timeline(phase: LoadPhaseResult, offsetMs: number): TimelineWindow[] {
  return phase.load.timeline.map((w) => ({ tStartMs: offsetMs + w.tStartMs, durationMs: TIMELINE_WINDOW_MS, count: w.count, p99Ms: w.p99Ms, errors: w.errors }));
}

/** The chaos of the measured phase (read before the proxies are torn down). */
export function serviceChaosInForce(stack: ServiceStack): ChaosInForce | undefined {
  const toxics = stack.chaos.toxicsInForce();
  if (toxics.length === 0) return undefined;
  return { pareto: stack.chaos.pareto(), toxics, cpuStress: null, faultWindows: [], note: stack.chaos.note() };
}

/**
 * Dependency latency of function targets: `ctx.dependency(name, request)` waits a seeded
 * Pareto delay, and may fail or time out (dependencies.ts). The injector is created inside
 * each isolate worker and lives as long as that worker.
 */
import { DEPENDENCY_SCALE_KNOB_RE, type ResolvedChaos, type ResolvedFunctionDependency } from '../../scenario/chaos-types.ts';
import type { ChaosKind } from '../chaos-kind.ts';
import { createDependencyInjector } from '../dependencies.ts';

function scaleDependency(dep: ResolvedFunctionDependency, scaleMs: number): ResolvedFunctionDependency {
  if (!dep.latency) return dep;
  const capMs = dep.latency.capMs === null ? null : Math.max(dep.latency.capMs, scaleMs);
  return { ...dep, latency: { ...dep.latency, scaleMs, capMs } };
}

/** `dependency.<name>.scale`: that dependency's Pareto scale, ms (its cap never drops below it). */
function applyScale(chaos: ResolvedChaos, match: RegExpExecArray, intensity: number): ResolvedChaos {
  const name = match[1] as string;
  const dep = chaos.dependencies.find((d) => d.name === name);
  if (!dep?.latency) throw new RangeError(`knob ${match[0]}: no dependency ${JSON.stringify(name)} with a latency`);
  // A scale of exactly 0 is not a Pareto distribution: the smallest positive scale stands in.
  const scaleMs = Math.max(intensity, 1e-6);
  return { ...chaos, dependencies: chaos.dependencies.map((d) => (d.name === name ? scaleDependency(d, scaleMs) : d)) };
}

/** `factor`: every dependency's scale and error rate times the factor (rates clamped to 1). */
function scaleBy(chaos: ResolvedChaos, factor: number): ResolvedChaos {
  return {
    ...chaos,
    dependencies: chaos.dependencies.map((d) => ({
      ...scaleDependency(d, (d.latency?.scaleMs ?? 0) * factor),
      errorRate: Math.min(1, d.errorRate * factor),
    })),
  };
}

export const LATENCY_CHAOS: ChaosKind<'latency', typeof createDependencyInjector> = {
  name: 'latency',
  injects: 'a seeded Pareto delay, injected errors and timeouts on each ctx.dependency() call',
  declaredBy: 'dependencies.<name>.{ latency, errorRate, timeout }',
  targets: 'function',
  knobs: [{ pattern: DEPENDENCY_SCALE_KNOB_RE, example: 'dependency.<name>.scale', unit: 'ms', restartsStressor: false, apply: applyScale }],
  scaleBy,
  lifecycle: {
    starts: 'each isolate worker creates its injector before its first call (drivers/isolate/isolate-chaos.ts)',
    stops: 'with the worker: nothing runs between calls',
    start: createDependencyInjector,
  },
};

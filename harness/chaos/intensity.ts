/**
 * Chaos intensity knobs of function targets: the pure mapping from a breaking-point
 * intensity to the chaos an isolate runs with.
 *   dependency.<name>.scale  that dependency's Pareto scale, ms (its cap never drops below it)
 *   cpu.duty                 the CPU stressor's duty, 0..1 (stressor defaults when none declared)
 *   factor                   every dependency scale, error rate and the CPU duty times the
 *                            factor (rates and duty clamped to 1); 1 is the scenario as written
 */
import type { ResolvedChaos, ResolvedCpuChaos, ResolvedFunctionDependency } from '../scenario/chaos-types.ts';

const DEPENDENCY_KNOB_RE = /^dependency\.([^.]+)\.scale$/;

export interface KnobInfo {
  /** Unit for reports: 'ms' for scales, null for fractions and factors. */
  unit: string | null;
  /** True when the knob drives CPU stress (each step starts its own stressor). */
  cpu: boolean;
}

export function describeKnob(knob: string): KnobInfo {
  if (DEPENDENCY_KNOB_RE.test(knob)) return { unit: 'ms', cpu: false };
  if (knob === 'cpu.duty') return { unit: null, cpu: true };
  if (knob === 'factor') return { unit: null, cpu: true };
  throw new RangeError(`unknown chaos knob ${JSON.stringify(knob)}: use dependency.<name>.scale, cpu.duty or factor`);
}

function scaleDependency(dep: ResolvedFunctionDependency, scaleMs: number): ResolvedFunctionDependency {
  if (!dep.latency) return dep;
  const capMs = dep.latency.capMs === null ? null : Math.max(dep.latency.capMs, scaleMs);
  return { ...dep, latency: { ...dep.latency, scaleMs, capMs } };
}

/** The chaos at `intensity` of `knob`, from the scenario's chaos (which may be absent). */
export function applyKnob(chaos: ResolvedChaos | undefined, knob: string, intensity: number, defaultCpu: ResolvedCpuChaos): ResolvedChaos {
  if (!(intensity >= 0) || !Number.isFinite(intensity)) throw new RangeError(`intensity must be a finite number >= 0, got ${intensity}`);
  const base: ResolvedChaos = chaos ?? { dependencies: [], cpu: null };
  const dependencyKnob = DEPENDENCY_KNOB_RE.exec(knob);
  if (dependencyKnob) {
    const name = dependencyKnob[1] as string;
    const dep = base.dependencies.find((d) => d.name === name);
    if (!dep?.latency) throw new RangeError(`knob ${knob}: no dependency ${JSON.stringify(name)} with a latency`);
    // A scale of exactly 0 is not a Pareto distribution: the smallest positive scale stands in.
    const scaleMs = Math.max(intensity, 1e-6);
    return { ...base, dependencies: base.dependencies.map((d) => (d.name === name ? scaleDependency(d, scaleMs) : d)) };
  }
  if (knob === 'cpu.duty') return { ...base, cpu: { ...(base.cpu ?? defaultCpu), duty: Math.min(1, intensity) } };
  if (knob === 'factor') {
    const f = Math.max(intensity, 1e-9);
    return {
      dependencies: base.dependencies.map((d) => ({
        ...scaleDependency(d, (d.latency?.scaleMs ?? 0) * f),
        errorRate: Math.min(1, d.errorRate * f),
      })),
      cpu: base.cpu ? { ...base.cpu, duty: Math.min(1, base.cpu.duty * f) } : null,
    };
  }
  describeKnob(knob);
  return base;
}

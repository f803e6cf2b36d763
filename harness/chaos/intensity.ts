/**
 * Chaos intensity knobs of function targets: the pure mapping from a breaking-point
 * intensity to the chaos an isolate runs with.
 *   dependency.<name>.scale  that dependency's Pareto scale, ms (its cap never drops below it)
 *   cpu.duty                 the CPU stressor's duty, 0..1 (stressor defaults when none declared)
 *   factor                   every dependency scale, error rate and the CPU duty times the
 *                            factor (rates and duty clamped to 1); 1 is the scenario as written
 * Each knob belongs to a chaos kind (chaos/registry.ts, kinds/), which says how it applies.
 */
import type { ResolvedChaos, ResolvedCpuChaos } from '../scenario/chaos-types.ts';
import { FACTOR_KNOB, findFunctionKnob, functionChaosKinds, functionKnobsHint } from './registry.ts';

export interface KnobInfo {
  /** Unit for reports: 'ms' for scales, null for fractions and factors. */
  unit: string | null;
  /** True when the knob drives CPU stress (each step starts its own stressor). */
  cpu: boolean;
}

/** What a knob is, from the chaos kind that owns it (chaos/registry.ts). */
export function describeKnob(knob: string): KnobInfo {
  const found = findFunctionKnob(knob);
  if (found) return { unit: found.knob.unit, cpu: found.knob.restartsStressor };
  // factor may scale the CPU duty, so its steps start their own stressor too.
  if (knob === FACTOR_KNOB) return { unit: null, cpu: true };
  throw new RangeError(`unknown chaos knob ${JSON.stringify(knob)}: use ${functionKnobsHint()}`);
}

/** The chaos at `intensity` of `knob`, from the scenario's chaos (which may be absent). */
export function applyKnob(chaos: ResolvedChaos | undefined, knob: string, intensity: number, defaultCpu: ResolvedCpuChaos): ResolvedChaos {
  if (!(intensity >= 0) || !Number.isFinite(intensity)) throw new RangeError(`intensity must be a finite number >= 0, got ${intensity}`);
  const base: ResolvedChaos = chaos ?? { dependencies: [], cpu: null };
  const found = findFunctionKnob(knob);
  if (found?.knob.apply) return found.knob.apply(base, found.match, intensity, { cpu: defaultCpu });
  if (knob === FACTOR_KNOB) {
    const factor = Math.max(intensity, 1e-9);
    return functionChaosKinds().reduce((scaled, kind) => (kind.scaleBy ? kind.scaleBy(scaled, factor) : scaled), base);
  }
  describeKnob(knob);
  return base;
}

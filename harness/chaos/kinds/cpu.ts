/**
 * CPU stress: burner threads (default) or stress-ng keep the machine's CPUs busy for a
 * duty share of each period, during the measured phase or one breaking-point step.
 */
import { CPU_DUTY_KNOB, type ResolvedChaos } from '../../scenario/chaos-types.ts';
import type { ChaosKind, KnobDefaults } from '../chaos-kind.ts';
import { startScenarioStress } from '../stress/scenario-stress.ts';

/** `cpu.duty`: the stressor's duty, 0..1 (the stressor defaults when none is declared). */
function applyDuty(chaos: ResolvedChaos, _match: RegExpExecArray, intensity: number, defaults: KnobDefaults): ResolvedChaos {
  return { ...chaos, cpu: { ...(chaos.cpu ?? defaults.cpu), duty: Math.min(1, intensity) } };
}

/** `factor`: the declared duty times the factor (clamped to 1); no stress stays none. */
function scaleBy(chaos: ResolvedChaos, factor: number): ResolvedChaos {
  return { ...chaos, cpu: chaos.cpu ? { ...chaos.cpu, duty: Math.min(1, chaos.cpu.duty * factor) } : null };
}

export const CPU_CHAOS: ChaosKind<'cpu', typeof startScenarioStress> = {
  name: 'cpu',
  injects: 'CPU stress: burner threads or stress-ng busy for a duty share of each period',
  declaredBy: 'chaos.cpu { duty, threads?, tool? }',
  targets: 'function',
  knobs: [{ pattern: /^cpu\.duty$/, example: CPU_DUTY_KNOB, unit: null, restartsStressor: true, apply: applyDuty }],
  scaleBy,
  lifecycle: {
    starts: 'the pipeline, before the measured phase or each breaking-point step',
    stops: 'the pipeline, after that phase or step (ScenarioStress.stop)',
    start: startScenarioStress,
  },
};

/**
 * What the harness knows about one kind of chaos: what it injects, which breaking-point
 * knobs drive its intensity and how, how `factor` scales it, and how it is started and
 * stopped. The kinds are listed in chaos/registry.ts.
 */
import type { ChaosKindName, ResolvedChaos, ResolvedCpuChaos } from '../scenario/chaos-types.ts';

/** Defaults a knob may need when the scenario declares none of its chaos. */
export interface KnobDefaults {
  /** The CPU stressor `cpu.duty` starts when the scenario has no chaos.cpu. */
  cpu: ResolvedCpuChaos;
}

/** One breaking-point knob a kind owns. */
export interface ChaosKnob {
  /** Matches the knob's name; group 1 is the dependency it names, if any. */
  readonly pattern: RegExp;
  /** How the knob is written in docs and messages ("cpu.duty"). */
  readonly example: string;
  /** Unit for reports: 'ms' for scales, null for fractions and factors. */
  readonly unit: string | null;
  /** True when each step must start its own stressor (the knob drives CPU stress). */
  readonly restartsStressor: boolean;
  /**
   * The function target's chaos at `intensity` of this knob; null when the knob is
   * applied elsewhere (service knobs: the HTTP driver sets the toxic on its proxy).
   */
  readonly apply: ((chaos: ResolvedChaos, match: RegExpExecArray, intensity: number, defaults: KnobDefaults) => ResolvedChaos) | null;
}

/** Where and how a kind is started and stopped. */
export interface ChaosLifecycle<Start = unknown> {
  /** Who starts it and when (for readers; the starter is `start` when this layer owns it). */
  readonly starts: string;
  /** Who stops it and when. */
  readonly stops: string;
  /** The starter, when it lives in the chaos layer (Start is null when a driver owns it). */
  readonly start: Start;
}

export interface ChaosKind<N extends ChaosKindName = ChaosKindName, Start = unknown> {
  readonly name: N;
  /** What it injects, for docs and help. */
  readonly injects: string;
  /** The scenario fields that declare it. */
  readonly declaredBy: string;
  /** Which targets it applies to. */
  readonly targets: 'function' | 'service';
  /** The knobs that set its intensity directly. */
  readonly knobs: readonly ChaosKnob[];
  /** How the `factor` knob scales it (function targets); null when factor leaves it as written. */
  readonly scaleBy: ((chaos: ResolvedChaos, factor: number) => ResolvedChaos) | null;
  readonly lifecycle: ChaosLifecycle<Start>;
}

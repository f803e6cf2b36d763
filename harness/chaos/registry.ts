/**
 * The kinds of chaos, by name. Adding one is one descriptor file (a ChaosKind, under
 * kinds/) plus one line here; the compiler then asks for its name in
 * scenario/chaos-types.ts CHAOS_KIND_NAMES, since the registry is keyed by those names.
 * Breaking-point knobs of function targets are found here (intensity.ts applies them);
 * `factor` belongs to no kind: it asks every kind to scale itself.
 */
import type { ChaosKindName } from '../scenario/chaos-types.ts';
import { CHAOS_KIND_NAMES, FACTOR_KNOB } from '../scenario/chaos-types.ts';
import type { ChaosKind, ChaosKnob } from './chaos-kind.ts';
import { CPU_CHAOS } from './kinds/cpu.ts';
import { LATENCY_CHAOS } from './kinds/latency.ts';
import { TOXICS_CHAOS } from './kinds/toxics.ts';

export type { ChaosKind, ChaosKnob, ChaosLifecycle, KnobDefaults } from './chaos-kind.ts';

export const CHAOS_KINDS = {
  latency: LATENCY_CHAOS,
  toxics: TOXICS_CHAOS,
  cpu: CPU_CHAOS,
} as const satisfies { readonly [N in ChaosKindName]: ChaosKind<N> };

export { FACTOR_KNOB } from '../scenario/chaos-types.ts';

/** The registered kinds in CHAOS_KIND_NAMES order. */
export function chaosKinds(): ChaosKind[] {
  return CHAOS_KIND_NAMES.map((name) => CHAOS_KINDS[name]);
}

/** The kind registered under `name`; the message lists the known kinds. */
export function chaosKindNamed(name: string): ChaosKind {
  const kind = chaosKinds().find((k) => k.name === name);
  if (!kind) throw new RangeError(`unknown chaos kind ${JSON.stringify(name)}: use ${CHAOS_KIND_NAMES.join(', ')}`);
  return kind;
}

/** The kinds that apply to function targets (their knobs and `factor` act on ResolvedChaos). */
export function functionChaosKinds(): ChaosKind[] {
  return chaosKinds().filter((k) => k.targets === 'function');
}

/** A function-target knob with the kind that owns it and its match (group 1: the dependency). */
export interface FoundKnob {
  kind: ChaosKind;
  knob: ChaosKnob;
  match: RegExpExecArray;
}

/** The function-target kind and knob `name` refers to, or null (`factor` and unknown names). */
export function findFunctionKnob(name: string): FoundKnob | null {
  for (const kind of functionChaosKinds()) {
    for (const knob of kind.knobs) {
      const match = knob.pattern.exec(name);
      if (match) return { kind, knob, match };
    }
  }
  return null;
}

/** "dependency.<name>.scale, cpu.duty or factor": the knobs of function targets, for messages. */
export function functionKnobsHint(): string {
  const examples = functionChaosKinds().flatMap((k) => k.knobs.map((knob) => knob.example));
  return `${examples.join(', ')} or ${FACTOR_KNOB}`;
}

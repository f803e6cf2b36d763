/**
 * What the harness knows about one input engine, to select it and plan its phases. The
 * engines themselves are listed in engine/registry.ts; the code that explores with each
 * one is keyed by the same names in drivers/isolate/explore.ts.
 */
import type { AvailabilityCheck } from './availability.ts';

export interface InputEngine<N extends string = string> {
  /** The name a scenario's `engine` or `--engine` gives, and results show. */
  readonly name: N;
  /** How notes and fallbacks name it ("Jazzer.js"). */
  readonly label: string;
  /** What it does, for docs and help. */
  readonly description: string;
  /** Time it needs before its first call; 0 for in-process engines (phases.ts adds it to the exploration share). */
  readonly startupMs: number;
  /** How to learn whether it can run here; null when it always can. */
  readonly availability: AvailabilityCheck | null;
}

/**
 * The input engines, by name. Adding one is one descriptor file (an InputEngine) plus
 * one line here; the compiler then asks for its name in scenario/base-types.ts
 * ENGINE_NAMES (what scenarios may request) and for its explorer in
 * drivers/isolate/explore.ts, since both are keyed by these names.
 *
 * `auto` is not an engine but a request: AUTO_ENGINE where it can run, else FALLBACK_ENGINE.
 */
import { ENGINE_NAMES, engineNamesHint, type EngineName } from '../scenario/base-types.ts';
import { BUILTIN_ENGINE } from './builtin/descriptor.ts';
import type { InputEngine } from './input-engine.ts';
import { JAZZER_ENGINE } from './jazzer/engine.ts';

export type { InputEngine } from './input-engine.ts';

/** A request that names no engine: the registry picks one. */
export const AUTO = 'auto';

/** The names of registered engines: what can actually run. */
export type EngineUsed = Exclude<EngineName, typeof AUTO>;

/** Every requestable name but `auto` has exactly one descriptor (checked by the compiler). */
export const ENGINES: { readonly [N in EngineUsed]: InputEngine<N> } = {
  builtin: BUILTIN_ENGINE,
  jazzer: JAZZER_ENGINE,
};

/** Always available: runs when the engine asked for cannot. */
export const FALLBACK_ENGINE: EngineUsed = 'builtin';
/** What `auto` prefers when it can run here. */
export const AUTO_ENGINE: EngineUsed = 'jazzer';

/** The registered engines in ENGINE_NAMES order. */
export function registeredEngines(): InputEngine[] {
  return ENGINE_NAMES.filter(isEngineUsed).map((name) => ENGINES[name]);
}

function isEngineUsed(name: string): name is EngineUsed {
  return Object.hasOwn(ENGINES, name);
}

/** The engine a request points at: itself, or AUTO_ENGINE for `auto`. */
export function wantedEngine(requested: EngineName): InputEngine<EngineUsed> {
  return ENGINES[requested === AUTO ? AUTO_ENGINE : requested];
}

export { engineNamesHint } from '../scenario/base-types.ts';

/** Validates a name from outside the type system (config, environment). */
export function parseEngineName(name: string): EngineName {
  const known: readonly string[] = ENGINE_NAMES;
  if (known.includes(name)) return name as EngineName;
  throw new RangeError(`unknown engine ${JSON.stringify(name)}: ${engineNamesHint()}`);
}

/**
 * Engine selection: turns the engine a scenario (or `--engine`) asks for into the engine
 * that runs, and says why when they differ.
 *
 *  - `builtin`: the builtin cost+coverage engine, always available.
 *  - `jazzer`: Jazzer.js (libFuzzer) explores; when its native addon cannot load here the
 *    builtin engine runs instead, and the reason is recorded (ScenarioResult.engine.note
 *    and the run's environment fallbacks).
 *  - `auto`: Jazzer.js where its addon loads, else builtin (no note needed beyond the reason).
 *
 * The engines and what each needs (a loadability probe, a start-up time) are in
 * registry.ts; this module only dispatches through it. Loadability is checked once per run
 * (a child node process loads the addon) and cached: see jazzer/engine.ts. The decision
 * itself is pure, for tests.
 */
import type { EngineName } from '../scenario/types.ts';
import type { AvailabilityCheck, EngineLoadability } from './availability.ts';
import { leavesTimeToExplore, splitBudget, type PhaseBudget, type PhasePlan } from './phases.ts';
import { AUTO, ENGINES, FALLBACK_ENGINE, wantedEngine, type EngineUsed } from './registry.ts';

export type { EngineUsed } from './registry.ts';
export { createJazzerAvailability, jazzerAvailability, type JazzerCheck } from './jazzer/engine.ts';

/** One entry of the run's environment fallbacks (results-schema EnvironmentInfo.fallbacks). */
export interface EngineFallback {
  component: string;
  wanted: string;
  used: string;
  reason: string;
}

export interface EngineSelection {
  requested: EngineName;
  used: EngineUsed;
  /** Why the engine used is not the one asked for, or null. */
  note: string | null;
  /** Set when a requested capability fell back (for environment.fallbacks). */
  fallback: EngineFallback | null;
}

/** Pure decision: what runs for `requested`, given whether the wanted engine loads (null: not checked). */
export function resolveEngine(requested: EngineName, availability: EngineLoadability | null): EngineSelection {
  const wanted = wantedEngine(requested);
  if (wanted.availability === null) return { requested, used: wanted.name, note: null, fallback: null };
  if (availability?.loadable) return { requested, used: wanted.name, note: null, fallback: null };
  const reason = availability ? availability.reason : `${wanted.label} loadability was not checked`;
  const note = `${wanted.label} cannot run here (${reason}); the ${FALLBACK_ENGINE} engine ran instead`;
  if (requested === AUTO) {
    // auto promised nothing: still say why the fallback engine was chosen.
    return { requested, used: FALLBACK_ENGINE, note: `auto: ${note}`, fallback: null };
  }
  return { requested, used: FALLBACK_ENGINE, note, fallback: { component: 'engine', wanted: wanted.name, used: FALLBACK_ENGINE, reason } };
}

/** Whether the engine `requested` points at must be checked at all. */
export function needsAvailabilityCheck(requested: EngineName): boolean {
  return wantedEngine(requested).availability !== null;
}

/** Whether Jazzer.js must be checked for this request (the only engine with a check today). */
export const needsJazzerCheck = needsAvailabilityCheck;

/**
 * Selects the engine for a scenario, probing the wanted engine only when it has a check.
 * `check` replaces the engine's registered probe (tests).
 */
export async function selectEngine(requested: EngineName, check?: AvailabilityCheck): Promise<EngineSelection> {
  const probe = check ?? wantedEngine(requested).availability;
  return resolveEngine(requested, probe && needsAvailabilityCheck(requested) ? await probe() : null);
}

/** Fallbacks recorded so far in this process (the run's environment lists them, de-duplicated). */
const recordedFallbacks: EngineFallback[] = [];

export function recordFallback(fallback: EngineFallback | null): void {
  if (!fallback) return;
  const same = recordedFallbacks.some((f) => f.component === fallback.component && f.wanted === fallback.wanted && f.reason === fallback.reason);
  if (!same) recordedFallbacks.push(fallback);
}

export function engineFallbacks(): EngineFallback[] {
  return [...recordedFallbacks];
}

/**
 * An engine that needs a few seconds to start (Jazzer.js) before its first call: when the
 * exploration share cannot cover that and still leave it time to run, the fallback engine
 * explores (the note says why). Pure.
 */
export function fitToBudget(selection: EngineSelection, exploreMs: number, startupMs: number): EngineSelection {
  const engine = ENGINES[selection.used];
  if (engine.startupMs === 0 || leavesTimeToExplore(exploreMs, startupMs)) return selection;
  const reason = `the exploration budget (${(exploreMs / 1000).toFixed(1)} s) is too short for ${engine.label}, which needs ~${startupMs / 1000} s to start`;
  const note = `${reason}; the ${FALLBACK_ENGINE} engine explored instead`;
  return {
    requested: selection.requested,
    used: FALLBACK_ENGINE,
    note,
    fallback: selection.requested === selection.used ? { component: 'engine', wanted: selection.used, used: FALLBACK_ENGINE, reason } : null,
  };
}

/** The engine and the explore/measure split for a scenario's fuzz budget (phases.ts). */
export async function planFuzzPhases(requested: EngineName, total: PhaseBudget, check?: AvailabilityCheck): Promise<{ selection: EngineSelection; plan: PhasePlan }> {
  const selected = await selectEngine(requested, check);
  const { startupMs } = ENGINES[selected.used];
  if (startupMs === 0) return { selection: selected, plan: splitBudget(total) };
  const plan = splitBudget(total, { startupMs });
  const selection = fitToBudget(selected, plan.explore?.durationMs ?? 0, startupMs);
  return { selection, plan: selection.used === selected.used ? plan : splitBudget(total) };
}

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
 * Loadability is checked once per run (a child node process loads the addon) and cached:
 * see {@link createJazzerAvailability}. The decision itself is pure, for tests.
 */
import type { EngineName } from '../scenario/types.ts';
import { isJazzerLoadable, type JazzerLoadability } from '../native/ensure-loadable.ts';
import { JAZZER_STARTUP_MS } from './jazzer/report.ts';
import { leavesTimeToExplore, splitBudget, type PhaseBudget, type PhasePlan } from './phases.ts';

export type EngineUsed = 'builtin' | 'jazzer';

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

/** Pure decision: what runs for `requested`, given whether Jazzer.js loads (null: not checked). */
export function resolveEngine(requested: EngineName, jazzer: JazzerLoadability | null): EngineSelection {
  if (requested === 'builtin') return { requested, used: 'builtin', note: null, fallback: null };
  if (jazzer?.loadable) return { requested, used: 'jazzer', note: null, fallback: null };
  const reason = jazzer ? jazzer.reason : 'Jazzer.js loadability was not checked';
  const note = `Jazzer.js cannot run here (${reason}); the builtin engine ran instead`;
  if (requested === 'auto') {
    // auto promised nothing: still say why the builtin engine was chosen.
    return { requested, used: 'builtin', note: `auto: ${note}`, fallback: null };
  }
  return { requested, used: 'builtin', note, fallback: { component: 'engine', wanted: 'jazzer', used: 'builtin', reason } };
}

/** Whether Jazzer.js must be checked at all for this request. */
export function needsJazzerCheck(requested: EngineName): boolean {
  return requested !== 'builtin';
}

export type JazzerCheck = () => Promise<JazzerLoadability>;

/**
 * A once-per-run, cached loadability check. The check never throws (isJazzerLoadable);
 * an unexpected rejection is turned into "not loadable" with its message.
 */
export function createJazzerAvailability(check: JazzerCheck = () => isJazzerLoadable()): JazzerCheck {
  let cached: Promise<JazzerLoadability> | null = null;
  return () => {
    cached ??= check().catch((error: unknown) => ({ loadable: false, reason: error instanceof Error ? error.message : String(error) }));
    return cached;
  };
}

/**
 * The process-wide check used by the runner (one probe per CLI run). SLO_HARNESS_JAZZER_ADDON
 * points it at another addon file (tests use a missing one to exercise the fallback).
 */
export const jazzerAvailability: JazzerCheck = createJazzerAvailability(() => {
  const addonPath = process.env['SLO_HARNESS_JAZZER_ADDON'];
  return isJazzerLoadable(addonPath ? { addonPath } : {});
});

/** Selects the engine for a scenario, checking Jazzer.js only when asked for. */
export async function selectEngine(requested: EngineName, check: JazzerCheck = jazzerAvailability): Promise<EngineSelection> {
  return resolveEngine(requested, needsJazzerCheck(requested) ? await check() : null);
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
 * Jazzer.js needs a few seconds to start before its first call: when the exploration
 * share cannot cover that and still leave it time to run, the builtin engine explores
 * (the note says why). Pure.
 */
export function fitToBudget(selection: EngineSelection, exploreMs: number, startupMs: number): EngineSelection {
  if (selection.used !== 'jazzer' || leavesTimeToExplore(exploreMs, startupMs)) return selection;
  const reason = `the exploration budget (${(exploreMs / 1000).toFixed(1)} s) is too short for Jazzer.js, which needs ~${startupMs / 1000} s to start`;
  const note = `${reason}; the builtin engine explored instead`;
  return {
    requested: selection.requested,
    used: 'builtin',
    note,
    fallback: selection.requested === 'jazzer' ? { component: 'engine', wanted: 'jazzer', used: 'builtin', reason } : null,
  };
}

/** The engine and the explore/measure split for a scenario's fuzz budget (phases.ts). */
export async function planFuzzPhases(requested: EngineName, total: PhaseBudget, check: JazzerCheck = jazzerAvailability): Promise<{ selection: EngineSelection; plan: PhasePlan }> {
  const selected = await selectEngine(requested, check);
  if (selected.used !== 'jazzer') return { selection: selected, plan: splitBudget(total) };
  const plan = splitBudget(total, { startupMs: JAZZER_STARTUP_MS });
  const selection = fitToBudget(selected, plan.explore?.durationMs ?? 0, JAZZER_STARTUP_MS);
  return { selection, plan: selection.used === 'jazzer' ? plan : splitBudget(total) };
}

/**
 * The fuzz budget is split into two phases so that SLO verdicts are honest:
 *
 *  1. explore: the chosen engine (builtin with V8 block coverage, or Jazzer.js with its
 *     edge counters) searches for new code and slow inputs. Both instrumentations inflate
 *     JS latencies (1.3-4x measured for V8 coverage), so these latencies are findings to
 *     re-confirm, never the SLO's evidence.
 *  2. measure: a fresh isolate with no instrumentation, fed by the exploration's kept
 *     corpus and the cost-guided builtin engine with coverage off. Only its histogram
 *     decides the SLO.
 *
 * Why 40/60: the measured phase decides the verdict, and a P99 interval needs samples in
 * its tail (the order-statistic interval narrows with sqrt(n)), so it gets the larger
 * share; coverage grows roughly logarithmically with executions, so the first 40% of the
 * time buys most of what a longer exploration would find. Jazzer.js spends ~3 s starting
 * (CLI, tsx, instrumenting the target) before its first call: that start-up is added to
 * its share, as it explores nothing, but the measured phase always keeps at least half.
 * Short budgets skip exploration: below MIN_EXPLORE_TOTAL_MS an instrumented isolate spends
 * most of its time starting, and every measured sample is worth more.
 */

export interface PhaseBudget {
  durationMs: number;
  calls: number | null;
}

export interface PhasePlan {
  /** Null when the budget is too small to explore. */
  explore: PhaseBudget | null;
  measure: PhaseBudget;
}

export interface SplitOptions {
  /** Share of the budget for exploration (default EXPLORE_SHARE). */
  share?: number;
  /** Time the exploring engine needs before its first call (Jazzer.js: ~3 s). */
  startupMs?: number;
}

export const EXPLORE_SHARE = 0.4;
/** Below this total duration the whole budget is measured. */
export const MIN_EXPLORE_TOTAL_MS = 2500;
/** The measured phase never gets less than this share. */
const MIN_MEASURE_SHARE = 0.5;

/** Splits a scenario's fuzz budget; deterministic, pure. */
export function splitBudget(total: PhaseBudget, opts: SplitOptions = {}): PhasePlan {
  const share = opts.share ?? EXPLORE_SHARE;
  if (total.durationMs < MIN_EXPLORE_TOTAL_MS || share <= 0) return { explore: null, measure: total };
  const wanted = Math.round(total.durationMs * share) + (opts.startupMs ?? 0);
  const exploreMs = Math.min(wanted, Math.floor(total.durationMs * (1 - MIN_MEASURE_SHARE)));
  const exploreCalls = total.calls === null ? null : Math.floor(total.calls * share);
  if (exploreCalls === 0) return { explore: null, measure: total };
  return {
    explore: { durationMs: exploreMs, calls: exploreCalls },
    measure: { durationMs: total.durationMs - exploreMs, calls: total.calls === null ? null : total.calls - (exploreCalls ?? 0) },
  };
}

/** Whether an exploration of `exploreMs` leaves the engine time to run after its start-up. */
export function leavesTimeToExplore(exploreMs: number, startupMs: number, minRunMs = 1000): boolean {
  return exploreMs - startupMs >= minRunMs;
}

/**
 * The one judgement of a single input against the per-call budget. Every place that asks
 * "is this input a latency violation?" (the measured loop's confirmation, the shrink and
 * confirm oracles of minimisation, the regression replay, `slo-harness replay`) asks it here,
 * with a named policy that says how much room the answer needs:
 *
 *   detect      the measured loop: median of the first call and its re-runs > budget
 *   regression  a saved violation replayed in fresh isolates: median > budget, or most calls
 *               timed out (a call killed at the timeout took at least that long, even when
 *               the timeout equals the budget and its measured time is the budget itself)
 *   confirm     minimisation keeps a finding only when its median clears budget x 1.1
 *   shrink      a smaller input replaces the finding only when it still clears budget x 1.5,
 *               so the minimal input violates with room to spare on a noisy machine
 *   reproduce   and only when every fresh call of it is over the budget (the winner's curse
 *               of shrinking: many questions near the boundary let noise through now and then)
 *
 * The rule is a statistic of repeated measurements (the median; the minimum for `reproduce`)
 * against budget x margin. The phase SLO is
 * judged elsewhere, from the phase's histogram with its confidence interval (verdict.ts).
 */
import { medianLow } from '../core/stats.ts';

export type CallPolicyName = 'detect' | 'regression' | 'confirm' | 'shrink' | 'reproduce';

export interface CallPolicy {
  name: CallPolicyName;
  /** Which statistic of the measurements must exceed budget x margin. */
  statistic: 'median' | 'min';
  /** The input violates when the statistic exceeds budget x margin. */
  margin: number;
  /** Whether more than half of the calls timing out is a violation on its own. */
  timeoutsCount: boolean;
}

export const CALL_POLICIES: Readonly<Record<CallPolicyName, CallPolicy>> = {
  detect: { name: 'detect', statistic: 'median', margin: 1, timeoutsCount: false },
  regression: { name: 'regression', statistic: 'median', margin: 1, timeoutsCount: true },
  confirm: { name: 'confirm', statistic: 'median', margin: 1.1, timeoutsCount: false },
  shrink: { name: 'shrink', statistic: 'median', margin: 1.5, timeoutsCount: false },
  reproduce: { name: 'reproduce', statistic: 'min', margin: 1, timeoutsCount: false },
};

/** The latency an input's median must exceed to violate under `policy`. */
export function violationThresholdMs(budgetMs: number, policy: CallPolicy): number {
  return budgetMs * policy.margin;
}

export interface CallJudgement {
  violates: boolean;
  /** Median of the measurements (lower median), NaN when there are none. */
  medianMs: number;
  thresholdMs: number;
}

/**
 * Judges one input from its measurements (ms, one per fresh call) and how many of those calls
 * the watchdog ended at the timeout.
 */
export function judgeCall(latenciesMs: readonly number[], budgetMs: number, policy: CallPolicy, timeouts = 0): CallJudgement {
  const medianMs = latenciesMs.length === 0 ? Number.NaN : medianLow(latenciesMs);
  const judged = policy.statistic === 'median' ? medianMs : latenciesMs.length === 0 ? Number.NaN : Math.min(...latenciesMs);
  const thresholdMs = violationThresholdMs(budgetMs, policy);
  const mostTimedOut = policy.timeoutsCount && timeouts * 2 > latenciesMs.length;
  return { violates: judged > thresholdMs || mostTimedOut, medianMs, thresholdMs };
}

/**
 * The same rule decided early, for oracles that measure one call at a time: with an odd
 * number of measurements planned, the median exceeds the threshold exactly when a majority
 * does, so the answer is known once a majority lands on one side (with an even number, a
 * tie is not a violation). Null while undecided.
 */
export function decidedEarly(samplesMs: readonly number[], repeats: number, thresholdMs: number): boolean | null {
  const majority = Math.floor(repeats / 2) + 1;
  const above = samplesMs.filter((ms) => ms > thresholdMs).length;
  if (above >= majority) return true;
  if (samplesMs.length - above >= majority) return false;
  return samplesMs.length >= repeats ? above >= majority : null;
}

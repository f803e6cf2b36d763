/**
 * The stall rule. A latency histogram counts calls, not time: a target that answers 20,000
 * calls fast and then hangs for most of the phase leaves only the few calls the watchdog
 * killed, and p99 of the fast calls looks fine. Callers at any steady rate would have
 * spent that time waiting. So when more than STALL_SHARE_LIMIT of the phase's wall time went
 * into calls that timed out (or were still running when the window closed), no threshold
 * may PASS:
 *
 *  - FAIL when the calls that could have run in the stalled time are enough on their own
 *    to put the quantile over the threshold. A caller arriving t ms into a stall of S ms
 *    waits at least S - t, so at a call rate r a stall yields at least (S - threshold) * r
 *    calls over the threshold. Counting k stalls together: (stalledMs - k * threshold) * r,
 *    with k bounded from above by stalledMs / timeout + 1 (every timed-out call lasted at
 *    least the timeout; one may have been cut by the end of the window). These calls are
 *    added to the measured ones as samples over the threshold, and the verdict is FAIL when
 *    the q-quantile's lower confidence bound of that augmented sample lies over the threshold.
 *  - INCONCLUSIVE otherwise: the measured figure described the time the target answered,
 *    not the phase.
 *
 * Pure: the runner supplies the times; unit-tested with plain numbers (stall.test.ts).
 */
import type { SloResult, StallSummary, Verdict } from '../core/results-schema.ts';
import { METRIC_QUANTILE } from '../scenario/types.ts';
import { quantileRanks } from './quantile-interval.ts';

export type { StallSummary } from '../core/results-schema.ts';

/** A stalled share of the phase above this (1%) means no threshold verdict may be PASS. */
export const STALL_SHARE_LIMIT = 0.01;
/** Calls that could have run in the stalled time are counted up to this many (keeps the arithmetic exact). */
export const MAX_MISSED_CALLS = 1e12;

export interface StallMeasure {
  /** Wall time spent in calls that timed out or were still running at the end of the window, ms (cumulative). */
  stalledMs: number;
  /** Wall time of the measured phase, ms. */
  phaseWallMs: number;
  /** The scenario's watchdog timeout, ms (bounds how many stalls there were, and names it in the reason). */
  timeoutMs: number;
  /**
   * Calls per millisecond a caller would have made during the stalls. Absent: the rate the
   * target held while it answered (completed calls over the phase time not stalled), or
   * `slo.rate` / 1000 for a paced loop.
   */
  callsPerMs?: number;
}

/** Stalled time as a share of the phase; null when there is nothing to say (no phase time, no stall). */
export function stallSummary(stalledMs: number | undefined, phaseWallMs: number): StallSummary | null {
  if (stalledMs === undefined || !(stalledMs > 0) || !(phaseWallMs > 0)) return null;
  // A call still running when the window closed may have started before the phase did.
  const share = Math.min(1, stalledMs / phaseWallMs);
  return { stalledMs, phaseWallMs, share };
}

/**
 * How many calls over `thresholdMs` the stalled time stands for (see the header), at least
 * 0, at most MAX_MISSED_CALLS, whole calls only.
 */
export function missedCallsOverThreshold(stall: StallMeasure, thresholdMs: number, completedCalls: number): number {
  const stalls = Math.floor(stall.stalledMs / Math.max(stall.timeoutMs, 1e-9)) + 1;
  const overMs = stall.stalledMs - stalls * thresholdMs;
  if (!(overMs > 0)) return 0;
  const rate = stall.callsPerMs ?? completedCalls / Math.max(stall.phaseWallMs - stall.stalledMs, 1);
  if (!(rate > 0)) return 0;
  return Math.min(MAX_MISSED_CALLS, Math.floor(overMs * rate));
}

/**
 * FAIL when `missed` extra samples over the threshold, added to `n` measured samples of which
 * `atOrUnder` are at or under it, put the q-quantile's lower confidence bound over the
 * threshold; else INCONCLUSIVE.
 */
export function stalledVerdict(q: number, n: number, atOrUnder: number, missed: number, confidence = 0.95): Exclude<Verdict, 'PASS'> {
  const total = n + missed;
  if (total === 0) return 'INCONCLUSIVE';
  if (q === 1) return atOrUnder < total ? 'FAIL' : 'INCONCLUSIVE';
  const { lowerRank } = quantileRanks(total, q, confidence);
  return lowerRank !== null && lowerRank > atOrUnder ? 'FAIL' : 'INCONCLUSIVE';
}

/** What one SLO needs from the histogram: its sample count and how many are at or under the threshold. */
export interface ThresholdCounts {
  n: number;
  atOrUnder: number;
}

/**
 * Applies the stall rule to a scenario's verdicts. Verdicts are unchanged when the stalled
 * share is at most STALL_SHARE_LIMIT; otherwise a PASS or INCONCLUSIVE becomes FAIL or
 * INCONCLUSIVE as described in the header, and every verdict's explanation says why.
 * `countsFor` gives each SLO's counts (verdict.ts's applyStallRule reads them from the histogram).
 */
export function applyStallRuleWith(results: SloResult[], stall: StallMeasure, countsFor: (r: SloResult) => ThresholdCounts): SloResult[] {
  const summary = stallSummary(stall.stalledMs, stall.phaseWallMs);
  if (!summary || summary.share <= STALL_SHARE_LIMIT) return results;
  const reason = stallReason(summary.share, stall.timeoutMs);
  return results.map((r) => {
    if (r.verdict === 'FAIL') return { ...r, explanation: `${r.explanation}; and ${reason}` };
    const { n, atOrUnder } = countsFor(r);
    const missed = missedCallsOverThreshold(stall, r.thresholdMs, n);
    const verdict = stalledVerdict(METRIC_QUANTILE[r.metric], n, atOrUnder, missed, r.interval.confidence);
    const consequence = verdict === 'FAIL'
      ? `the ~${fmtCount(missed)} calls that could have run in that time would each have waited over ${fmtMs(r.thresholdMs)}, which puts ${r.metric} over the SLO`
      : `the measured ${r.metric} (${fmtMs(r.observedMs)}) describes only the time the target answered`;
    return { ...r, verdict, samplesToDecide: null, explanation: `${reason}; ${consequence}` };
  });
}

/** "44% of the phase was spent in calls that hung (timeout 2 s): not PASS" */
export function stallReason(share: number, timeoutMs: number): string {
  return `${fmtShare(share)} of the phase was spent in calls that hung (timeout ${fmtMs(timeoutMs)}): not PASS`;
}

function fmtShare(share: number): string {
  const pct = share * 100;
  return `${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

function fmtMs(ms: number): string {
  if (ms >= 1000 && Number.isInteger(ms / 100)) return `${+(ms / 1000).toPrecision(6)} s`;
  return `${+ms.toPrecision(6)} ms`;
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

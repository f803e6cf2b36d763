/**
 * How far the engine pumps a pattern next (search/pattern.ts: prefix + open^n + middle +
 * close^n + suffix), from the measured cost of its current rendering: algorithmic blow-ups
 * show as growth, so the count is grown toward the per-call budget. Pure: randomness comes
 * from the injected Rng.
 */
import type { Rng } from '../core/rng.ts';

/** A previous rendering of the same pattern: its count and measured latency. */
export interface PumpPoint {
  count: number;
  latencyNs: number;
}

/**
 * How far to pump next, given the latency of the current rendering against the per-call
 * budget. With a previous point of the same pattern whose latency differs clearly, the
 * growth per repetition is extrapolated as exponential (the pessimistic model: it never
 * overshoots a polynomial one) and the count aimed at twice the budget, at most tripled.
 * Without one: far below the budget double, closer to it step by a quarter, near it by
 * one; an exponential pattern doubles its cost per repetition, so a blind big step at
 * 1/16 of the budget would jump to minutes.
 */
export function nextPumpCount(count: number, latencyNs: number, budgetNs: number, rng: Rng, previous: PumpPoint | null = null): number {
  const ratio = latencyNs / budgetNs;
  if (previous && previous.count < count && latencyNs > previous.latencyNs * 1.5 && ratio < 1) {
    const perRepetition = Math.log(latencyNs / previous.latencyNs) / (count - previous.count);
    const step = Math.ceil(Math.log((2 * budgetNs) / latencyNs) / perRepetition);
    return count + Math.max(1, Math.min(2 * count + 1, step));
  }
  // Small counts jump to 8 at once: a blow-up is often invisible below that.
  if (ratio < 1 / 1000) return Math.max(count * 2 + 1 + rng.int(2), 8);
  if (ratio < 1 / 16) return count + Math.max(1, Math.ceil(count / 4));
  return count + 1 + (ratio < 1 / 4 ? rng.int(2) : 0);
}


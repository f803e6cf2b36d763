/**
 * Ladders: pump patterns proposed from the target's source (regex-ladders.ts, record-ladders.ts)
 * and climbed before blind fuzzing starts. Pure: patterns and measured latencies in, inputs out.
 *
 * A ladder renders its pattern at growing counts: 4, then +50% while calls are too fast to
 * measure growth, then the growth seen so far extrapolated toward the budget, at most +50% per
 * rung, so an exponential pattern is not jumped to minutes. A ladder ends when its input
 * reaches the budget, the length cap, RUNGS_PER_LADDER rungs, or goes flat. Patterns whose
 * latency does not grow cost a handful of fast calls.
 */
import { maxCountFor, renderPattern, type PumpPattern } from '../../search/pattern.ts';
import type { PumpPoint } from '../pump.ts';

/**
 * Enough rungs for a quadratic pattern to climb from 4 to a few thousand copies (a header
 * parser needed ~3,300 lines to pass 10 ms): 18 rungs at +50%, and the last rungs before the
 * budget step more cautiously.
 */
const RUNGS_PER_LADDER = 32;
const FIRST_COUNT = 4;
/**
 * A ladder stops once a rung is this far over its budget, not at the budget: a rung at 1.05x
 * the budget was often measured under it again when confirmed (2 of 3 seeds of the nested
 * quantifier in one bench run), and the ladder had already stopped. Past the budget the next
 * rung aims at this multiple of it (ladderStep's target), which makes the violation clear.
 */
const STOP_OVER_BUDGET = 1.5;

export interface LadderRung {
  data: Uint8Array;
  pattern: PumpPattern;
  /** The rung below this one, with its measured latency (null for a ladder's first rung). */
  from: PumpPoint | null;
}

/** A pattern to climb and the latency at which its ladder stops. */
export interface LadderSpec {
  pattern: PumpPattern;
  budgetNs: number;
}

interface Ladder {
  pattern: PumpPattern;
  budgetNs: number;
  count: number;
  rungs: number;
  from: PumpPoint | null;
}

/**
 * Below this, a call's latency is mostly call overhead and timer noise: growth measured
 * there underestimates the pattern's, and extrapolating from it overshoots (a nested
 * quantifier went from 10 µs at n=10 to 12 s at n=31 in one extrapolated step).
 */
export const LADDER_NOISE_FLOOR_NS = 100_000;

/**
 * The next count of a ladder: below the noise floor, +50%; above it, the exponential
 * growth seen since the rung below extrapolated to reach the budget, at most +50%; without
 * clear growth, +25%. Always at least one more repetition.
 */
export function ladderStep(count: number, latencyNs: number, budgetNs: number, from: PumpPoint | null): number {
  const cautious = Math.max(1, Math.ceil(count / 2));
  if (latencyNs < LADDER_NOISE_FLOOR_NS) return count + cautious;
  if (from && from.count < count && from.latencyNs >= LADDER_NOISE_FLOOR_NS / 4 && latencyNs > from.latencyNs * 1.5) {
    const perRepetition = Math.log(latencyNs / from.latencyNs) / (count - from.count);
    const step = Math.ceil(Math.log(budgetNs / latencyNs) / perRepetition);
    return count + Math.max(1, Math.min(cautious, step));
  }
  return count + Math.max(1, Math.ceil(count / 4));
}

/**
 * From this count on, above the noise floor, a ladder whose latency grew no faster than
 * count^FLAT_EXPONENT since the rung below is not a blow-up (linear work, or none) and stops.
 * Below the floor a quadratic record pattern still looks flat: 48 header lines cost little
 * more than 32. The exponent, not a fixed ratio, because the last steps before the budget are
 * small: +14% of lines and +31% of latency there is still quadratic.
 */
const FLAT_FROM_COUNT = 32;
const FLAT_EXPONENT = 1.5;

function isFlat(from: PumpPoint | null, count: number, latencyNs: number): boolean {
  if (!from || count < FLAT_FROM_COUNT || latencyNs < LADDER_NOISE_FLOOR_NS || from.count >= count) return false;
  if (latencyNs <= from.latencyNs) return true;
  return Math.log(latencyNs / from.latencyNs) / Math.log(count / from.count) < FLAT_EXPONENT;
}

/**
 * Hands out rungs of the ladders round-robin, so that a ladder which climbs many rungs
 * without effect does not delay the next one; feedback() with the latency of the rung just
 * handed out decides that ladder's next count.
 */
export class Ladders {
  private readonly active: Ladder[];
  private turn = 0;
  private waiting: Ladder | null = null;

  constructor(
    specs: readonly LadderSpec[],
    private readonly maxLength: number,
  ) {
    this.active = specs
      .map(({ pattern, budgetNs }) => ({ pattern, budgetNs, count: Math.min(FIRST_COUNT, maxCountFor(pattern, maxLength)), rungs: 0, from: null }))
      .filter((ladder) => ladder.count >= 1);
  }

  get done(): boolean {
    return this.active.length === 0;
  }

  /** The next rung, or null when every ladder is climbed (or a rung awaits its feedback). */
  next(): LadderRung | null {
    if (this.waiting || this.active.length === 0) return null;
    this.turn %= this.active.length;
    const ladder = this.active[this.turn] as Ladder;
    this.waiting = ladder;
    return { data: renderPattern(ladder.pattern, ladder.count), pattern: { ...ladder.pattern, count: ladder.count }, from: ladder.from };
  }

  /** The latency of the rung last handed out. */
  feedback(latencyNs: number): void {
    const ladder = this.waiting;
    this.waiting = null;
    if (!ladder) return;
    ladder.rungs++;
    const cap = maxCountFor(ladder.pattern, this.maxLength);
    if (latencyNs >= ladder.budgetNs * STOP_OVER_BUDGET || ladder.rungs >= RUNGS_PER_LADDER || ladder.count >= cap || isFlat(ladder.from, ladder.count, latencyNs)) {
      this.active.splice(this.active.indexOf(ladder), 1);
      return; // the next ladder now sits at this turn
    }
    const next = Math.min(cap, ladderStep(ladder.count, latencyNs, ladder.budgetNs * STOP_OVER_BUDGET, ladder.from));
    ladder.from = { count: ladder.count, latencyNs };
    ladder.count = Math.max(ladder.count + 1, next);
    this.turn++;
  }
}

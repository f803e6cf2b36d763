/**
 * Regex ladders: ReDoS candidates built from the regex literals in a target's source, and
 * climbed before blind fuzzing starts. Pure: sources and measured latencies in, inputs out.
 *
 * A quantified group that can match the same text in many ways (`(\w+\s?)*`, `(ab|a.)*`)
 * backtracks super-linearly when the match fails at the end, so the classic attack is
 * `sample^n + rejected character`, where the sample is what the group matches. literals.ts
 * already derives group samples from a regex source; each (sample, rejected suffix) becomes a
 * pump pattern, and a ladder renders it at growing counts: 4, then cost-aware steps
 * (pump.ts nextPumpCount, which extrapolates the growth seen so far and slows down near the
 * budget, so an exponential pattern is not jumped to minutes). A ladder ends when its input
 * reaches the budget, the length cap, or RUNGS_PER_LADDER rungs. Patterns whose latency does
 * not grow cost a handful of fast calls.
 */
import { lexLiterals, regexSamples } from './literals.ts';
import { maxCountFor, renderPattern, type PumpPattern, type PumpPoint } from '../pump.ts';

/** A character most regexes reject where a word, space or delimiter was expected; NUL where the regex names '!'. */
const rejectedSuffix = (regex: string): string => (regex.includes('!') ? '\u0000' : '!');
const MAX_SAMPLE_LENGTH = 16;
const MAX_LADDERS = 16;
const RUNGS_PER_LADDER = 10;
const FIRST_COUNT = 4;

const EMPTY = new Uint8Array(0);

/** Pump patterns `sample^n + suffix` for the regex literals found in `sources`, at most `limit`. */
export function regexLadderPatterns(sources: readonly string[], limit = MAX_LADDERS): PumpPattern[] {
  const patterns: PumpPattern[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const regex of lexLiterals(source).regexSources) {
      const suffix = rejectedSuffix(regex);
      for (const sample of regexSamples(regex)) {
        const key = `${sample}\u0001${suffix}`;
        if (sample.length > MAX_SAMPLE_LENGTH || seen.has(key)) continue;
        seen.add(key);
        patterns.push({ prefix: EMPTY, open: Buffer.from(sample, 'latin1'), middle: EMPTY, close: EMPTY, suffix: Buffer.from(suffix, 'latin1'), count: 1 });
        if (patterns.length >= limit) return patterns;
      }
    }
  }
  return patterns;
}

export interface LadderRung {
  data: Uint8Array;
  pattern: PumpPattern;
  /** The rung below this one, with its measured latency (null for a ladder's first rung). */
  from: PumpPoint | null;
}

interface Ladder {
  pattern: PumpPattern;
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

/** Counts at least this large whose latency did not grow 1.5x since the rung below: not a blow-up. */
const FLAT_FROM_COUNT = 32;

/**
 * Hands out rungs of the ladders round-robin, so that a ladder which climbs many rungs
 * without effect does not delay the next one; feedback() with the latency of the rung just
 * handed out decides that ladder's next count. `budgetNs` is the latency at which a ladder stops.
 */
export class RegexLadders {
  private readonly active: Ladder[];
  private turn = 0;
  private waiting: Ladder | null = null;

  constructor(
    patterns: readonly PumpPattern[],
    private readonly budgetNs: number,
    private readonly maxLength: number,
  ) {
    this.active = patterns
      .map((pattern) => ({ pattern, count: Math.min(FIRST_COUNT, maxCountFor(pattern, maxLength)), rungs: 0, from: null }))
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
    const flat = ladder.from !== null && ladder.count >= FLAT_FROM_COUNT && latencyNs < ladder.from.latencyNs * 1.5;
    if (latencyNs >= this.budgetNs || ladder.rungs >= RUNGS_PER_LADDER || ladder.count >= cap || flat) {
      this.active.splice(this.active.indexOf(ladder), 1);
      return; // the next ladder now sits at this turn
    }
    const next = Math.min(cap, ladderStep(ladder.count, latencyNs, this.budgetNs, ladder.from));
    ladder.from = { count: ladder.count, latencyNs };
    ladder.count = Math.max(ladder.count + 1, next);
    this.turn++;
  }
}

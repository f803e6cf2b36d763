/**
 * Finding pump patterns in an input (pattern.ts is the model): sampled probes for the
 * engine's per-call path (pickPattern), exhaustive listings for shrinking (allRepetitions,
 * pairedRuns, asNesting). Pure: randomness comes from the injected Rng.
 */
import type { Rng } from '../core/rng.ts';
import { copiesAt, EMPTY, plainRepetition, pumpTogether, runEnd, runOfRepetition, sameBytes, type PumpPattern, type Run } from './pattern.ts';

export interface PumpSearchOptions {
  /** Longest segment looked for. */
  maxPeriod?: number;
  /** Start positions probed for repetitions (the search is sampled to stay cheap on long inputs). */
  probes?: number;
}

const OPENERS: Readonly<Record<number, number>> = { 0x28: 0x29, 0x5b: 0x5d, 0x7b: 0x7d, 0x3c: 0x3e };

/**
 * The maximal repetition around `at` (at least two copies) of the smallest period that
 * repeats there, or null. Only that one period is extended over the whole run, so a probe
 * costs O(maxPeriod^2 + run) even inside a long run of one character.
 */
export function repetitionAt(input: Uint8Array, at: number, maxPeriod = 32): PumpPattern | null {
  for (let p = 1; p <= maxPeriod && p * 2 <= input.length; p++) {
    const lo0 = Math.min(at, input.length - 2 * p);
    // A period p repeats at lo0 when the p bytes after it equal the p bytes at it.
    let matches = true;
    for (let k = 0; k < p && matches; k++) matches = input[lo0 + k] === input[lo0 + k + p];
    if (!matches) continue;
    let lo = lo0;
    while (lo > 0 && input[lo - 1] === input[lo - 1 + p]) lo--;
    let hi = lo0 + p;
    while (hi + p < input.length && input[hi] === input[hi + p]) hi++;
    const count = Math.floor((hi - lo + p) / p);
    const end = lo + p * count;
    return {
      prefix: input.subarray(0, lo),
      open: input.subarray(lo, lo + p),
      middle: EMPTY,
      close: EMPTY,
      suffix: input.subarray(end),
      count,
    };
  }
  return null;
}

/** Repetitions found by probing `probes` random positions (deduplicated by position and period). */
export function findRepetitions(input: Uint8Array, rng: Rng, opts: PumpSearchOptions = {}): PumpPattern[] {
  const found: PumpPattern[] = [];
  const seen = new Set<number>();
  const probes = Math.min(opts.probes ?? 6, input.length);
  for (let i = 0; i < probes; i++) {
    const p = repetitionAt(input, rng.int(input.length), opts.maxPeriod);
    if (!p) continue;
    const key = p.prefix.length * 64 + p.open.length;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(p);
  }
  return found;
}

/**
 * A nesting around a random bracket: the opening part runs from the start of the word
 * before the opener ("not(") and the closing part is the matching closer. Null when the
 * input has no balanced bracket pair.
 */
export function nestingAt(input: Uint8Array, rng: Rng): PumpPattern | null {
  const openers: number[] = [];
  for (let i = 0; i < input.length && openers.length < 64; i++) if (OPENERS[input[i] ?? -1] !== undefined) openers.push(i);
  if (openers.length === 0) return null;
  const open = rng.pick(openers);
  const close = matchingCloser(input, open);
  if (close < 0) return null;
  let start = open;
  while (start > 0 && isWordByte(input[start - 1] ?? 0)) start--;
  return {
    prefix: input.subarray(0, start),
    open: input.subarray(start, open + 1),
    middle: input.subarray(open + 1, close),
    close: input.subarray(close, close + 1),
    suffix: input.subarray(close + 1),
    count: 1,
  };
}

function matchingCloser(input: Uint8Array, open: number): number {
  const opener = input[open] ?? 0;
  const closer = OPENERS[opener];
  let depth = 0;
  for (let i = open; i < input.length; i++) {
    if (input[i] === opener) depth++;
    else if (input[i] === closer && --depth === 0) return i;
  }
  return -1;
}

function isWordByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f || b === 0x24;
}

/** A random segment of 1-8 bytes taken as a pattern with one repetition. */
export function segmentAt(input: Uint8Array, rng: Rng): PumpPattern | null {
  if (input.length === 0) return null;
  const start = rng.int(input.length);
  const len = 1 + rng.int(Math.min(8, input.length - start));
  return {
    prefix: input.subarray(0, start),
    open: input.subarray(start, start + len),
    middle: EMPTY,
    close: EMPTY,
    suffix: input.subarray(start + len),
    count: 1,
  };
}

/**
 * Two random segments of 1-4 bytes (the first wholly before the second) pumped together:
 * prefix + first^n + between + second^n + suffix. A target that pairs two parts of its input
 * (a pattern and the text it is matched against, two sequences to diff) often blows up only
 * when both grow: a glob of many stars is cheap against a short text, and a long text is
 * cheap against few stars, while k stars against k almost-matching characters cost C(2k, k).
 * Each part is read as its whole run when it repeats ("***" pumps as "*" x 3). Null for
 * inputs under two bytes.
 */
export function pairAt(input: Uint8Array, rng: Rng): PumpPattern | null {
  if (input.length < 2) return null;
  const firstStart = rng.int(input.length - 1);
  const firstLen = 1 + rng.int(Math.min(4, input.length - 1 - firstStart));
  const firstEnd = firstStart + firstLen;
  const secondStart = firstEnd + rng.int(input.length - firstEnd);
  const secondLen = 1 + rng.int(Math.min(4, input.length - secondStart));
  const first = runOf(input, firstStart, firstLen, 0, secondStart);
  const second = runOf(input, secondStart, secondLen, runEnd(first), input.length);
  return pumpTogether(input, first, second);
}

/**
 * The run of copies of input[at, at+len) around `at` within [lo, hi), trimmed to whole copies
 * so that pumping the run keeps the bytes beside it.
 */
function runOf(input: Uint8Array, at: number, len: number, lo: number, hi: number): Run {
  let start = at;
  while (start - len >= lo && sameBytes(input, start - len, at, len)) start -= len;
  let end = at + len;
  while (end + len <= hi && sameBytes(input, end, at, len)) end += len;
  return { start, unit: input.subarray(at, at + len), count: (end - start) / len };
}

/**
 * A pattern to pump in `input`: an existing repetition when one is found, else a nesting,
 * else two segments pumped together or one segment.
 */
export function pickPattern(input: Uint8Array, rng: Rng, opts: PumpSearchOptions = {}): PumpPattern | null {
  const roll = rng.next();
  if (roll < 0.5) {
    const reps = findRepetitions(input, rng, opts);
    if (reps.length > 0) return rng.pick(reps);
  }
  if (roll < 0.65) {
    const nest = nestingAt(input, rng);
    if (nest) return nest;
  }
  if (roll < 0.85) {
    const pair = pairAt(input, rng);
    if (pair) return pair;
  }
  return segmentAt(input, rng);
}

/**
 * Every maximal repetition (at least two copies, period up to maxPeriod, segments that do not
 * repeat a shorter one), largest first (by bytes covered), at most `limit`. Deterministic and
 * O(length x maxPeriod): meant for shrinking, not for the per-call path.
 */
export function allRepetitions(input: Uint8Array, maxPeriod = 32, limit = 16): PumpPattern[] {
  const found: PumpPattern[] = [];
  for (let p = 1; p <= maxPeriod && p * 2 <= input.length; p++) {
    let i = 0;
    while (i + p < input.length) {
      if (input[i] !== input[i + p]) {
        i++;
        continue;
      }
      let j = i;
      while (j + p < input.length && input[j] === input[j + p]) j++;
      const count = Math.floor((j - i + p) / p);
      // "aa" x 400 is "a" x 800 again: only the smallest period of a run is listed, or the
      // long runs of one byte would fill the list at every period and hide the short ones.
      if (count >= 2 && isPrimitive(input, i, p)) found.push(plainRepetition(input, i, p, count));
      i = j + 1;
    }
  }
  found.sort((a, b) => b.count * b.open.length - a.count * a.open.length || a.open.length - b.open.length);
  return found.slice(0, limit);
}

/**
 * Two separate runs of about the same count read as one pattern pumped on both sides:
 * "*" x 12 + "b\n" + "a" x 12 as prefix + "*"^n + "b\n" + "a"^n. A minimal input with two
 * balanced runs usually needs both to stay slow (a glob and its text), so growing one alone
 * would measure the wrong growth. The pair covering the most bytes, among the given runs
 * (plain repetitions), whose counts differ by at most half; null when there is none.
 */
export function pairedRuns(input: Uint8Array, repetitions: readonly PumpPattern[]): PumpPattern | null {
  const runs = repetitions.map(runOfRepetition).filter((r): r is Run => r !== null);
  let best: PumpPattern | null = null;
  let bestBytes = 0;
  for (const a of runs) {
    for (const b of runs) {
      if (b.start < runEnd(a)) continue; // b must start after a ends
      if (Math.max(a.count, b.count) > 1.5 * Math.min(a.count, b.count)) continue;
      const covered = Math.min(a.count, b.count) * (a.unit.length + b.unit.length);
      if (covered <= bestBytes) continue;
      best = pumpTogether(input, a, b);
      bestBytes = covered;
    }
  }
  return best;
}

/**
 * A repetition whose segment ends in an opener ("not(" x k) read as a nesting, when the
 * closers that match it form a run of at least k: prefix + open^k + middle + close^k + suffix.
 * Removing openers alone would unbalance the input; pumping both sides keeps it valid.
 */
export function asNesting(input: Uint8Array, found: PumpPattern): PumpPattern | null {
  const rep = rotateToOpener(input, found);
  if (!rep) return null;
  const opener = rep.open[rep.open.length - 1] ?? -1;
  const closer = OPENERS[opener];
  if (closer === undefined) return null;
  const runStart = rep.prefix.length;
  const firstOpener = runStart + rep.open.length - 1;
  const outerClose = matchingCloser(input, firstOpener);
  if (outerClose < 0) return null;
  let closersRun = 0;
  while (closersRun < rep.count && input[outerClose - closersRun] === closer) closersRun++;
  if (closersRun < rep.count) return null;
  const runEnd = runStart + rep.open.length * rep.count;
  const closeStart = outerClose - rep.count + 1;
  if (closeStart < runEnd) return null;
  return {
    prefix: rep.prefix,
    open: rep.open,
    middle: input.subarray(runEnd, closeStart),
    close: input.subarray(outerClose, outerClose + 1),
    suffix: input.subarray(outerClose + 1),
    count: rep.count,
  };
}

/**
 * The same repetition read with its segment rotated to end in an opener ("(not" x 3 read
 * as "not(" x 3), or null when no rotation of the segment ends in one.
 */
function rotateToOpener(input: Uint8Array, rep: PumpPattern): PumpPattern | null {
  if (rep.middle.length > 0 || rep.close.length > 0) return null;
  const p = rep.open.length;
  for (let r = 0; r < p; r++) {
    const start = rep.prefix.length + r;
    if (OPENERS[input[start + p - 1] ?? -1] === undefined) continue;
    const count = copiesAt(input, start, p);
    if (count < 2) continue;
    return plainRepetition(input, start, p, count);
  }
  return null;
}

/** Whether input[at, at+period) is not itself a repetition of a shorter unit. */
function isPrimitive(input: Uint8Array, at: number, period: number): boolean {
  for (let d = 1; d < period; d++) {
    if (period % d === 0 && sameBytes(input, at, at + d, period - d)) return false;
  }
  return true;
}

/**
 * Pump patterns, the model (Singularity-style): algorithmic blow-ups show as growth, so
 * instead of searching concrete inputs an input is viewed as a pattern
 *
 *     prefix + open^n + middle + close^n + suffix
 *
 * and n is grown. A plain repetition ("abababab!") has an empty middle and close; a nesting
 * ("not(not(true))") pumps its opening and closing parts together so the input stays
 * well-formed. Finding patterns in an input: pattern-find.ts. Pure.
 */

export interface PumpPattern {
  readonly prefix: Uint8Array;
  /** The pumped segment (for a nesting: the opening part, e.g. "not("). */
  readonly open: Uint8Array;
  /** Between the opening and closing runs of a nesting; empty for a repetition. */
  readonly middle: Uint8Array;
  /** The closing part of a nesting, repeated as often as `open`; empty for a repetition. */
  readonly close: Uint8Array;
  readonly suffix: Uint8Array;
  /** How many times open (and close) occur in the input this pattern was read from. */
  readonly count: number;
}

export const EMPTY = new Uint8Array(0);

/** Length of `pattern` rendered with n repetitions. */
export function pumpedLength(p: PumpPattern, n: number): number {
  return p.prefix.length + p.middle.length + p.suffix.length + n * (p.open.length + p.close.length);
}

/** The input `pattern` describes, with n repetitions. */
export function renderPattern(p: PumpPattern, n: number): Uint8Array {
  const out = new Uint8Array(pumpedLength(p, n));
  let at = 0;
  const put = (part: Uint8Array): void => {
    out.set(part, at);
    at += part.length;
  };
  put(p.prefix);
  for (let i = 0; i < n; i++) put(p.open);
  put(p.middle);
  for (let i = 0; i < n; i++) put(p.close);
  put(p.suffix);
  return out;
}

/** Largest n whose rendering fits in maxLength (at least 1 when the pattern itself fits). */
export function maxCountFor(p: PumpPattern, maxLength: number): number {
  const unit = p.open.length + p.close.length;
  if (unit === 0) return p.count;
  return Math.max(0, Math.floor((maxLength - pumpedLength(p, 0)) / unit));
}

/** A run of `count` copies of `unit` starting at byte `start`. */
export interface Run {
  start: number;
  unit: Uint8Array;
  count: number;
}

export function runEnd(run: Run): number {
  return run.start + run.unit.length * run.count;
}

/** A plain repetition (no nesting part, at least two copies) read as a run; null otherwise. */
export function runOfRepetition(pattern: PumpPattern): Run | null {
  if (pattern.middle.length > 0 || pattern.close.length > 0 || pattern.count < 2) return null;
  return { start: pattern.prefix.length, unit: pattern.open, count: pattern.count };
}

/**
 * Two runs (the first ending before the second starts) as one pattern pumped on both sides,
 * prefix + first^n + between + second^n + suffix, at the shorter run's count: the longer
 * one's extra copies stay in the prefix or suffix, so rendering at that count gives back the
 * input.
 */
export function pumpTogether(input: Uint8Array, first: Run, second: Run): PumpPattern {
  const count = Math.min(first.count, second.count);
  const firstEnd = runEnd(first);
  return {
    prefix: input.subarray(0, firstEnd - count * first.unit.length),
    open: first.unit,
    middle: input.subarray(firstEnd, second.start),
    close: second.unit,
    suffix: input.subarray(second.start + count * second.unit.length),
    count,
  };
}


/** prefix + (input[start, start+period))^count + suffix, with no nesting part. */
export function plainRepetition(input: Uint8Array, start: number, period: number, count: number): PumpPattern {
  return {
    prefix: input.subarray(0, start),
    open: input.subarray(start, start + period),
    middle: EMPTY,
    close: EMPTY,
    suffix: input.subarray(start + count * period),
    count,
  };
}

export function sameBytes(input: Uint8Array, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (input[a + k] !== input[b + k]) return false;
  return true;
}

/** How many consecutive copies of input[at, at+period) start at `at` (at least 1). */
export function copiesAt(input: Uint8Array, at: number, period: number): number {
  let n = 1;
  while (at + (n + 1) * period <= input.length && sameBytes(input, at, at + n * period, period)) n++;
  return n;
}

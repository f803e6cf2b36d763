/**
 * Shrinking a violating input toward the SLO boundary: the smallest input that still
 * breaks the per-call budget. Pure core: the oracle ("does this input still violate?") is
 * injected, so the search is tested on synthetic cost functions without clocks.
 *
 * Bytes shrink in rounds. Each round first repeats the cheap moves while they make progress:
 * (1) repetition shortening (binary search on the count of every repeated segment and of
 * every nesting: pumped blow-ups shrink in log steps), (2) trading repetitions (a shorter
 * run doubled, a longer one halved: trade.ts), for targets whose cost grows with two parts
 * at once, (3) byte values replaced throughout (by the input's frequent bytes, or by 'a',
 * '0' or a space). Then the expensive ones: (4) delta debugging (ddmin: remove chunks,
 * halving the chunk size when nothing goes), (5) single bytes of short inputs simplified.
 * Values from a fast-check arbitrary shrink with the arbitrary's own shrinker.
 */
import type { Arbitrary, Value } from 'fast-check';
import { renderPattern, runOfRepetition, type PumpPattern, type Run } from './pattern.ts';
import { allRepetitions, asNesting } from './pattern-find.ts';
import { bytesKey, type Oracle } from './oracle.ts';
import { tradeCandidates } from './trade.ts';

export interface ShrinkOptions {
  /** Oracle questions at most (default 2000). */
  maxOracleCalls?: number;
  /** Checked between steps: return true to stop (a deadline kept by the caller). */
  shouldStop?: () => boolean;
  /** Bytes to simplify toward, in order of preference (default 'a', '0', ' '). */
  alphabet?: readonly number[];
  /** Shrinking rounds at most (each round runs every step; default 8). */
  maxRounds?: number;
  /**
   * Delta debugging splits into at most this many chunks (default 512): near the boundary of
   * a size-driven blow-up no single byte can go, and byte-level passes over a long input
   * would spend the whole budget learning that.
   */
  maxChunks?: number;
}

export interface ShrinkResult<T> {
  value: T;
  originalSize: number;
  size: number;
  /** Oracle questions asked by this shrink (measurements: see the oracle's stats). */
  oracleCalls: number;
  /** Accepted smaller or simpler candidates. */
  improvements: number;
  /** False when the starting input did not violate: nothing was shrunk. */
  initialViolates: boolean;
  /** True when the call budget or shouldStop ended the search before a fixpoint. */
  stoppedEarly: boolean;
}

const DEFAULT_ALPHABET = [0x61, 0x30, 0x20];

class Budget {
  calls = 0;
  improvements = 0;
  constructor(
    private readonly oracleFn: Oracle<Uint8Array>,
    private readonly max: number,
    private readonly shouldStop: () => boolean,
  ) {}
  get exhausted(): boolean {
    return this.calls >= this.max || this.shouldStop();
  }
  async violates(candidate: Uint8Array): Promise<boolean> {
    this.calls++;
    return this.oracleFn(candidate);
  }
}

/** Shrinks a violating byte input (see the module comment for the steps). */
export async function shrinkBytes(input: Uint8Array, oracle: Oracle<Uint8Array>, opts: ShrinkOptions = {}): Promise<ShrinkResult<Uint8Array>> {
  const budget = new Budget(oracle, opts.maxOracleCalls ?? 2000, opts.shouldStop ?? (() => false));
  const result = (value: Uint8Array, initialViolates: boolean): ShrinkResult<Uint8Array> => ({
    value,
    originalSize: input.length,
    size: value.length,
    oracleCalls: budget.calls,
    improvements: budget.improvements,
    initialViolates,
    stoppedEarly: budget.exhausted,
  });
  if (!(await budget.violates(input))) return result(input, false);
  let current = input;
  const alphabet = opts.alphabet ?? DEFAULT_ALPHABET;
  for (let round = 0; round < (opts.maxRounds ?? 8) && !budget.exhausted; round++) {
    const before = bytesKey(current);
    current = await cheapMoves(current, budget, alphabet);
    current = await ddmin(current, budget, opts.maxChunks ?? 512);
    current = await simplifyPositions(current, budget, alphabet);
    if (bytesKey(current) === before) break;
  }
  return result(current, true);
}

/** Cheap moves bound the number of passes that made progress before ddmin runs. */
const CHEAP_PASSES = 16;

/**
 * The moves that cost a few questions each, repeated while they make progress: count
 * search on repetitions, trades between runs, whole byte values replaced. Delta debugging
 * asks hundreds of questions on a long input; it runs only once these have done their part.
 */
async function cheapMoves(input: Uint8Array, budget: Budget, alphabet: readonly number[]): Promise<Uint8Array> {
  let current = input;
  for (let pass = 0; pass < CHEAP_PASSES && !budget.exhausted; pass++) {
    const before = bytesKey(current);
    current = await shortenRepetitions(current, budget);
    current = await tradeRepetitions(current, budget);
    current = await replaceValues(current, budget, alphabet);
    if (bytesKey(current) === before) break;
  }
  return current;
}

/** Binary search on the count of each repeated segment and nesting, largest first. */
async function shortenRepetitions(input: Uint8Array, budget: Budget): Promise<Uint8Array> {
  let current = input;
  for (let attempt = 0; attempt < 8 && !budget.exhausted; attempt++) {
    const patterns = candidatePatterns(current);
    let shortened = false;
    for (const pattern of patterns) {
      const n = await smallestViolatingCount(pattern, budget);
      if (n < pattern.count) {
        current = renderPattern(pattern, n);
        budget.improvements++;
        shortened = true;
        break; // offsets of the other patterns changed: look again
      }
      if (budget.exhausted) break;
    }
    if (!shortened) break;
  }
  return current;
}

function candidatePatterns(input: Uint8Array): PumpPattern[] {
  const reps = allRepetitions(input, 32, 12);
  const nests = reps.map((r) => asNesting(input, r)).filter((p): p is PumpPattern => p !== null);
  return [...nests, ...reps];
}

/** The first trade (see trade.ts) that still violates, or the input unchanged. */
async function tradeRepetitions(input: Uint8Array, budget: Budget): Promise<Uint8Array> {
  const runs = allRepetitions(input, 32, 12)
    .map(runOfRepetition)
    .filter((r): r is Run => r !== null);
  for (const candidate of tradeCandidates(input, runs)) {
    if (budget.exhausted) break;
    if (await budget.violates(candidate)) {
      budget.improvements++;
      return candidate;
    }
  }
  return input;
}

/** Smallest count in [0, pattern.count] that still violates, assuming monotone cost in the count. */
async function smallestViolatingCount(pattern: PumpPattern, budget: Budget): Promise<number> {
  let lo = 0; // highest count known (or assumed) not to violate, minus nothing tested yet
  let hi = pattern.count; // violates
  while (hi - lo > 1 && !budget.exhausted) {
    const mid = (lo + hi) >> 1;
    if (await budget.violates(renderPattern(pattern, mid))) hi = mid;
    else lo = mid;
  }
  if (lo === 0 && hi === 1 && !budget.exhausted && (await budget.violates(renderPattern(pattern, 0)))) return 0;
  return hi;
}

/** Delta debugging by complements: remove one of n chunks; on failure everywhere, split finer. */
async function ddmin(input: Uint8Array, budget: Budget, maxChunks: number): Promise<Uint8Array> {
  let current = input;
  let chunks = 2;
  while (current.length >= 2 && !budget.exhausted) {
    const size = Math.ceil(current.length / chunks);
    let removed = false;
    for (let start = 0; start < current.length && !budget.exhausted; start += size) {
      const candidate = without(current, start, Math.min(current.length, start + size));
      if (candidate.length > 0 && (await budget.violates(candidate))) {
        current = candidate;
        budget.improvements++;
        chunks = Math.max(2, chunks - 1);
        removed = true;
        break;
      }
    }
    if (removed) continue;
    if (size <= 1 || chunks >= maxChunks) break;
    chunks = Math.min(current.length, maxChunks, chunks * 2);
  }
  return current;
}

/** How many of the input's most frequent bytes are tried as replacements for each other value. */
const FREQUENT_REPLACEMENTS = 3;

/**
 * Replace every occurrence of a byte value by another: first by the input's most frequent
 * bytes, then by a plainer one. Frequent bytes come first because one of them is usually the
 * pumped one: "[x[x[x" as "[[[[[[" costs a quadratic scanner 4x more, and the count search
 * then halves it, where "[a[a[a" would be simpler but no shorter. A byte already plain is
 * only replaced by a frequent one. After a replacement by a frequent byte the pass ends, so
 * the count search cuts the longer run before the next one: replacing value after value
 * first would leave a same-size input many times slower, whose every question is slow too.
 */
async function replaceValues(input: Uint8Array, budget: Budget, alphabet: readonly number[]): Promise<Uint8Array> {
  let current = input;
  for (const value of [...new Set(input)]) {
    if (!current.includes(value)) continue; // replaced away by an earlier step
    const frequent = frequentBytes(current).filter((v) => v !== value).slice(0, FREQUENT_REPLACEMENTS);
    const plain = alphabet.includes(value) ? [] : alphabet.filter((v) => !frequent.includes(v));
    for (const replacement of [...frequent, ...plain]) {
      if (budget.exhausted) return current;
      const candidate = current.map((b) => (b === value ? replacement : b));
      if (await budget.violates(candidate)) {
        current = candidate;
        budget.improvements++;
        if (frequent.includes(replacement)) return current;
        break;
      }
    }
  }
  return current;
}

/** Single bytes of a short input replaced by plainer ones. */
async function simplifyPositions(input: Uint8Array, budget: Budget, alphabet: readonly number[]): Promise<Uint8Array> {
  let current = input;
  if (current.length > 64) return current;
  for (let i = 0; i < current.length; i++) {
    if (alphabet.includes(current[i] as number)) continue;
    for (const plain of alphabet) {
      if (budget.exhausted) return current;
      const candidate = Uint8Array.from(current);
      candidate[i] = plain;
      if (await budget.violates(candidate)) {
        current = candidate;
        budget.improvements++;
        break;
      }
    }
  }
  return current;
}

/** The byte values present in `input`, most frequent first. */
function frequentBytes(input: Uint8Array): number[] {
  const counts = new Uint32Array(256);
  for (const b of input) counts[b] = (counts[b] as number) + 1;
  const present: number[] = [];
  for (let v = 0; v < 256; v++) if ((counts[v] as number) > 0) present.push(v);
  return present.sort((x, y) => (counts[y] as number) - (counts[x] as number) || x - y);
}

function without(input: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(input.length - (end - start));
  out.set(input.subarray(0, start), 0);
  out.set(input.subarray(end), start);
  return out;
}

export interface ArbitraryShrinkOptions<T> {
  /** Oracle questions at most (default 2000). */
  maxOracleCalls?: number;
  shouldStop?: () => boolean;
  /** The context fast-check generated the value with, when known (better shrinks). */
  context?: unknown;
  /** Size of a value for the report (default: length of its JSON, or of a string/array/bytes). */
  sizeOf?: (value: T) => number;
}

/**
 * Shrinks a value generated by a fast-check arbitrary with the arbitrary's shrinker
 * (fast-check 4: `arbitrary.shrink(value, context)` yields a lazy stream of smaller
 * candidates): take the first candidate that still violates and continue from it, until
 * no candidate does. Without a context the arbitrary must be able to shrink the bare value
 * (`canShrinkWithoutContext`); otherwise the value is returned as it is.
 */
export async function shrinkWithArbitrary<T>(
  value: T,
  arbitrary: Arbitrary<T>,
  oracle: Oracle<T>,
  opts: ArbitraryShrinkOptions<T> = {},
): Promise<ShrinkResult<T>> {
  const max = opts.maxOracleCalls ?? 2000;
  const shouldStop = opts.shouldStop ?? (() => false);
  const sizeOf = opts.sizeOf ?? defaultSize;
  let calls = 0;
  let improvements = 0;
  const exhausted = (): boolean => calls >= max || shouldStop();
  const done = (v: T, initialViolates: boolean): ShrinkResult<T> => ({
    value: v,
    originalSize: sizeOf(value),
    size: sizeOf(v),
    oracleCalls: calls,
    improvements,
    initialViolates,
    stoppedEarly: exhausted(),
  });
  calls++;
  if (!(await oracle(value))) return done(value, false);
  if (opts.context === undefined && !arbitrary.canShrinkWithoutContext(value)) return done(value, true);
  let current: { value: T; context: unknown } = { value, context: opts.context };
  for (;;) {
    let next: Value<T> | null = null;
    for (const candidate of arbitrary.shrink(current.value, current.context)) {
      if (exhausted()) break;
      calls++;
      if (await oracle(candidate.value)) {
        next = candidate;
        break;
      }
    }
    if (!next) break;
    improvements++;
    current = { value: next.value, context: next.context };
  }
  return done(current.value, true);
}

function defaultSize(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array || Array.isArray(value)) return value.length;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.NaN;
  }
}

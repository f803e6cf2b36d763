/**
 * The question shrinking asks ("does this input still violate the budget?") answered from
 * noisy timings: a robust oracle decides on the median of a few first-call measurements.
 */
import { medianLow } from '../core/stats.ts';
import { CALL_POLICIES, decidedEarly } from '../measure/call-judgement.ts';

/** Whether an input still violates the budget. */
export type Oracle<T> = (input: T) => Promise<boolean>;

/**
 * Measures one call of the target with `input`, in milliseconds. The implementation MUST
 * defeat memoisation: targets often cache (LRU caches in parsers make only an input's first
 * call slow), so each measurement has to be a first call, e.g. in a fresh isolate, or with a
 * never-seen variant of the input that the target cannot have cached. Repeating the call in
 * a warm isolate would measure the cache.
 */
export type Measure<T> = (input: T) => Promise<number>;

export interface RobustOracleOptions<T> {
  /** The per-call budget in ms. */
  budgetMs: number;
  /** Measurements per decision, 3-5 (default 3); the decision is on their median. */
  repeats?: number;
  /** Violation means median > budgetMs * margin (default 1.1): the result violates with room to spare. */
  margin?: number;
  /** Cache key of an input, to answer a repeated question without measuring again. */
  key?: (input: T) => string;
}

export interface OracleStats {
  /** Questions asked. */
  calls: number;
  /** Measurements taken (calls x repeats, less early stops and cache hits). */
  measurements: number;
  cacheHits: number;
}

export interface RobustOracle<T> extends Oracle<T> {
  readonly stats: OracleStats;
  /** Median latency measured for the last input asked about (ms). */
  readonly lastMedianMs: number;
}

/**
 * An oracle robust to timing noise: decides on the median of `repeats` measurements
 * against budget * margin, and stops early once a majority of measurements agree.
 */
export function createRobustOracle<T>(measure: Measure<T>, opts: RobustOracleOptions<T>): RobustOracle<T> {
  const repeats = Math.min(5, Math.max(3, opts.repeats ?? 3));
  const threshold = opts.budgetMs * (opts.margin ?? CALL_POLICIES.confirm.margin);
  const cache = new Map<string, { violates: boolean; medianMs: number }>();
  const stats: OracleStats = { calls: 0, measurements: 0, cacheHits: 0 };
  let lastMedianMs = Number.NaN;
  const oracle = async (input: T): Promise<boolean> => {
    stats.calls++;
    const key = opts.key?.(input);
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached) {
      stats.cacheHits++;
      lastMedianMs = cached.medianMs;
      return cached.violates;
    }
    const samples: number[] = [];
    let violates = decidedEarly(samples, repeats, threshold);
    while (violates === null) {
      samples.push(await measure(input));
      stats.measurements++;
      violates = decidedEarly(samples, repeats, threshold);
    }
    lastMedianMs = medianLow(samples);
    if (key !== undefined) cache.set(key, { violates, medianMs: lastMedianMs });
    return violates;
  };
  return Object.defineProperties(oracle, {
    stats: { get: () => stats },
    lastMedianMs: { get: () => lastMedianMs },
  }) as RobustOracle<T>;
}

/** Cache key for byte inputs (for RobustOracleOptions.key). */
export function bytesKey(input: Uint8Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
}

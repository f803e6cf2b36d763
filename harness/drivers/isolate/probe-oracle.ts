/**
 * Turns the probe's "k first-call latencies of this input" into the robust shrinking
 * oracle (search/shrink.ts createRobustOracle): the oracle asks for one measurement at a
 * time, and each of its repeats must be a first call, so the k latencies of one probe
 * measurement (one per warm worker) are handed out in turn. Pure: `measureAll` is injected.
 */
import { fnv1aString } from '../../core/hash.ts';
import { CALL_POLICIES } from '../../measure/call-judgement.ts';
import { createRobustOracle, type Measure, type RobustOracle } from '../../search/oracle.ts';

export interface FirstCallOracleOptions<T> {
  budgetMs: number;
  /** Violation means median > budgetMs * margin (default 1.1). */
  margin?: number;
  /** Latencies per decision: the probe's worker count (clamped to 3-5 by the oracle). */
  repeats: number;
  key: (input: T) => string;
}

/** Measures the first call of `input` in worker `slot` (ms). */
export type MeasureInSlot<T> = (input: T, slot: number) => Promise<number>;

/**
 * A Measure whose repeats for one input go to successive workers (slot 0, 1, 2...), so each
 * is a first call; the oracle stops asking once a majority agrees, so a clear answer costs
 * two calls, not k.
 */
export function firstCallMeasure<T>(measureIn: MeasureInSlot<T>, key: (input: T) => string, workers: number): Measure<T> {
  let lastKey: string | null = null;
  let start = 0;
  let next = 0;
  return async (input: T): Promise<number> => {
    const k = key(input);
    if (k !== lastKey) {
      lastKey = k;
      start = startSlot(k, workers);
      next = 0;
    }
    return measureIn(input, (start + next++) % workers);
  };
}

/**
 * The worker an input is measured in first: spread over the workers by a hash of the
 * input, so that a worker being replaced (after a hang) does not hold up every next
 * question, and deterministic, so a caller can ask the same first worker ahead of the oracle.
 */
export function startSlot(key: string, workers: number): number {
  return fnv1aString(key) % Math.max(1, workers);
}

export function createFirstCallOracle<T>(measureIn: MeasureInSlot<T>, opts: FirstCallOracleOptions<T>): RobustOracle<T> {
  return createRobustOracle(firstCallMeasure(measureIn, opts.key, opts.repeats), {
    budgetMs: opts.budgetMs,
    margin: opts.margin ?? CALL_POLICIES.confirm.margin,
    repeats: opts.repeats,
    key: opts.key,
  });
}

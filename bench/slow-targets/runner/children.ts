/**
 * The bench's child-process jobs: each runs in its own node process (spawned by
 * bench/engines.ts with a hard kill), prints one `RESULT <json>` line and exits.
 *  - fuzz:      builtin or fast-check against one target, until the first violation
 *  - shrink:    minimise a violating input with the robust oracle + shrinkBytes
 *  - calibrate: smallest violating size of the target's known worst-case family
 */
import { bytesKey, createRobustOracle } from '../../../harness/search/oracle.ts';
import { shrinkBytes } from '../../../harness/search/shrink.ts';
import { loadSlowTarget } from '../index.ts';
import { CONFIRM_MARGIN } from './budget.ts';
import type { FuzzEngineKind } from './protocol.ts';
import { runFuzzWorker, WorkerMeasure } from './supervisor.ts';

export interface ShrinkOutcome {
  type: 'shrink';
  initialViolates: boolean;
  /** The oracle's margin over the budget that the minimised input violates by. */
  margin: number;
  originalSize: number;
  size: number;
  minimisedHex: string;
  oracleCalls: number;
  measurements: number;
  stoppedEarly: boolean;
}

export interface CalibrationOutcome {
  type: 'calibration';
  n: number;
  size: number;
  medianMs: number;
  measurements: number;
}

/** A call this much over budget is stopped and counted as a violation. */
export function hangMsFor(budgetMs: number): number {
  return Math.max(2000, budgetMs * 50);
}

/** The shrinker's first margin is the confirmation's, so every confirmed finding can be shrunk. */
const SHRINK_MARGIN = CONFIRM_MARGIN;

/**
 * The shrinker only asks "over the budget or not": a call 20x over it has answered, so it
 * is cut there rather than at the hang limit. On exponential targets most rejected
 * shrinking candidates are near-hangs; waiting 2 s for each spent the shrink time on few.
 */
export function shrinkCutoffMsFor(budgetMs: number): number {
  return Math.max(200, budgetMs * 20);
}

export async function fuzzChild(engine: FuzzEngineKind, targetName: string, seed: number, seconds: number): Promise<unknown> {
  const { meta } = await loadSlowTarget(targetName);
  return runFuzzWorker({ engine, target: targetName, seed, seconds, budgetMs: meta.budgetMs, maxLength: meta.maxLength, hangMs: hangMsFor(meta.budgetMs) });
}

/**
 * Minimises a finding with the robust oracle (median of 3 over budget x 1.1). A finding
 * barely over the budget may not pass that margin; it is then shrunk at margin 1.0, the
 * fuzzing loop's own rule (and the result says so).
 */
export async function shrinkChild(targetName: string, inputHex: string, seconds: number): Promise<ShrinkOutcome> {
  const { meta } = await loadSlowTarget(targetName);
  const measure = new WorkerMeasure(targetName, shrinkCutoffMsFor(meta.budgetMs));
  const deadline = Date.now() + seconds * 1000;
  let measurements = 0;
  try {
    let last: ShrinkOutcome | null = null;
    for (const margin of [SHRINK_MARGIN, 1]) {
      const oracle = createRobustOracle((input: Uint8Array) => measure.measure(input), { budgetMs: meta.budgetMs, repeats: 3, margin, key: bytesKey });
      const result = await shrinkBytes(Buffer.from(inputHex, 'hex'), oracle, { maxOracleCalls: 5000, shouldStop: () => Date.now() > deadline });
      measurements += oracle.stats.measurements;
      last = {
        type: 'shrink',
        initialViolates: result.initialViolates,
        margin,
        originalSize: result.originalSize,
        size: result.size,
        minimisedHex: Buffer.from(result.value).toString('hex'),
        oracleCalls: result.oracleCalls,
        measurements,
        stoppedEarly: result.stoppedEarly,
      };
      if (result.initialViolates) break;
    }
    return last as ShrinkOutcome;
  } finally {
    await measure.close();
  }
}

/**
 * Smallest n whose worst-case input violates by the shrinker's own rule (median of 5 over
 * budget x margin): n grows by half until it violates, then a binary search.
 */
export async function calibrateChild(targetName: string): Promise<CalibrationOutcome> {
  const { meta } = await loadSlowTarget(targetName);
  const measure = new WorkerMeasure(targetName, hangMsFor(meta.budgetMs));
  const oracle = createRobustOracle((n: number) => measure.measure(meta.worstCase(n)), {
    budgetMs: meta.budgetMs,
    repeats: 5,
    margin: SHRINK_MARGIN,
  });
  try {
    let lo = 0;
    let hi = 1;
    while (!(await oracle(hi))) {
      lo = hi;
      hi = Math.ceil(hi * 1.5);
      if (meta.worstCase(hi).length > meta.maxLength * 4) throw new Error(`${targetName}: worst case does not violate up to size ${meta.maxLength * 4}`);
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await oracle(mid)) hi = mid;
      else lo = mid;
    }
    await oracle(hi);
    return { type: 'calibration', n: hi, size: meta.worstCase(hi).length, medianMs: oracle.lastMedianMs, measurements: oracle.stats.measurements };
  } finally {
    await measure.close();
  }
}

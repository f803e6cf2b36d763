/** Climbing ladders against a synthetic cost, for the ladder tests (no clocks). */
import type { Ladders } from '../../harness/engine/builtin/ladders.ts';

export interface Climb {
  /** The first rung at or over the budget, as latin1 text (undefined when none was). */
  found: string | undefined;
  /** Rungs run, including the one found. */
  calls: number;
}

/** Runs rungs through `costNs` until one reaches `budgetNs`, the ladders are done, or `maxCalls`. */
export function climbToBudget(ladders: Ladders, costNs: (input: Uint8Array) => number, budgetNs: number, maxCalls: number): Climb {
  let calls = 0;
  let found: string | undefined;
  for (; calls < maxCalls && !ladders.done && !found; calls++) {
    const rung = ladders.next();
    if (!rung) break;
    const ns = costNs(rung.data);
    if (ns >= budgetNs) found = Buffer.from(rung.data).toString('latin1');
    ladders.feedback(ns);
  }
  return { found, calls };
}

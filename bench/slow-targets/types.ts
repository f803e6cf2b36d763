/**
 * The shape of a benchmark slow target: a Jazzer-style `fuzz(data: Buffer)` entry point,
 * so Jazzer.js, fast-check and the builtin engine drive the same function, plus what the
 * benchmark needs to know about it.
 */

export type KnownGrowth = 'exponential' | 'polynomial';

export interface SlowTargetMeta {
  name: string;
  description: string;
  /** Per-call latency budget (ms): a call slower than this is a violation. */
  budgetMs: number;
  /** Largest input the engines may generate for it. */
  maxLength: number;
  growth: KnownGrowth;
  /**
   * Size of the smallest violating input known, measured on the development machine
   * (Node 20, 2-core VM) with `worstCase`; the bench re-measures it on the machine it runs on.
   */
  smallestKnownViolatingSize: number;
  /** The known worst-case family: its input of size parameter n (bigger n, slower call). */
  worstCase(n: number): Buffer;
}

export interface SlowTarget {
  fuzz(data: Buffer): void;
  meta: SlowTargetMeta;
}

/**
 * The one definition of a violation every engine in the benchmark is held to: a call
 * slower than the budget, confirmed where the target is not instrumented (median of three
 * uninstrumented calls over the budget: SyncMeasure.violates), so that neither a GC pause
 * nor coverage instrumentation counts as a finding.
 */

export type FuzzFn = (data: Buffer) => void;

export function timeCallMs(fuzz: FuzzFn, data: Buffer): number {
  const t0 = process.hrtime.bigint();
  try {
    fuzz(data);
  } catch {
    // a throwing call is timed like any other; the slow targets catch their own errors
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** The most instrumentation was measured to slow a tight JS loop here (V8 block coverage, Jazzer's counters). */
export const MAX_INSTRUMENTATION_SLOWDOWN = 4;

/**
 * Which over-budget calls of an instrumented target are worth confirming. Every confirmation
 * costs two or three uninstrumented calls; an engine that pumps toward the budget under
 * instrumentation makes many calls between 1x and 4x the budget that are fast uninstrumented
 * (26 failed confirmations in one glob-matcher run). After a failed confirmation the gate knows
 * how much slower the instrumented call was (instrumented / slowest uninstrumented), and
 * confirms a later call only if its latency divided by the smallest such slowdown seen (capped
 * at MAX_INSTRUMENTATION_SLOWDOWN, so one call inflated by a GC pause cannot hide real
 * violations) is still over the budget. The same gate serves every engine.
 */
export class ConfirmationGate {
  /** Smallest slowdown seen on a failed confirmation; null before the first. */
  private slowdown: number | null = null;
  skipped = 0;

  constructor(private readonly budgetMs: number) {}

  /** Whether an instrumented call of `ms` should be confirmed uninstrumented. */
  worthConfirming(ms: number): boolean {
    if (ms <= this.budgetMs) return false;
    if (ms / (this.slowdown ?? 1) > this.budgetMs) return true;
    this.skipped++;
    return false;
  }

  /** A confirmation that failed: the instrumented latency and the uninstrumented ones measured for it. */
  failed(instrumentedMs: number, uninstrumentedMs: readonly number[]): void {
    const slowest = Math.max(...uninstrumentedMs);
    if (!(slowest > 0)) return;
    const seen = Math.min(MAX_INSTRUMENTATION_SLOWDOWN, instrumentedMs / slowest);
    // The smallest slowdown seen: the gate never assumes more slowdown than some input showed.
    this.slowdown = Math.max(1, Math.min(this.slowdown ?? seen, seen));
  }
}

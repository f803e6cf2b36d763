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

/**
 * The trace loop: runs INSIDE the isolate's worker thread (replay mode with a `trace` spec).
 * It replays each violating input, interleaved with batches of baseline inputs (the scenario's
 * seeds) that take about as long as the violating call, and reports every call window on the
 * `process.hrtime.bigint()` clock (CLOCK_MONOTONIC, the clock of bpftrace's `nsecs` and of V8's
 * profiler timestamps), so the parent can attribute stack samples to violation vs baseline calls.
 *
 * A violation window's start is posted before the call: if the call hangs and the watchdog
 * terminates the worker, the parent still knows when the window opened.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CONTROL } from './protocol.ts';
import { timedCall, type LoopShared, type TargetCall } from './measured-loop.ts';
import type { FedInput } from '../../engine/feeders.ts';
import type { TargetContext } from '../../scenario/types.ts';
import { startV8Profiler, type V8ProfilerSession } from '../../trace/v8-profiler.ts';
import type { V8CpuProfile } from '../../trace/v8-profile.ts';
import type { ReplayTraceSpec, TraceLoopMessage } from './trace-protocol.ts';

/** Window id shared by every baseline batch. */
export const BASELINE_WINDOW_ID = 'baseline';

const now = (): bigint => process.hrtime.bigint();

async function call(shared: LoopShared, target: TargetCall, input: FedInput, ctx: TargetContext): Promise<void> {
  try {
    const outcome = timedCall(shared, target, input, ctx);
    if (outcome instanceof Promise) await outcome;
  } catch {
    // timedCall catches target errors itself; anything else must not end the trace.
  }
}

async function startProfiler(spec: ReplayTraceSpec): Promise<{ session: V8ProfilerSession | null; error: string | null }> {
  if (!spec.v8Profiler) return { session: null, error: null };
  try {
    return { session: await startV8Profiler({ intervalUs: spec.v8Profiler.intervalUs }), error: null };
  } catch (error) {
    return { session: null, error: `V8 profiler failed to start: ${(error as Error).message}` };
  }
}

async function waitForFile(file: string, timeoutMs: number, stopped: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!existsSync(file) && performance.now() < deadline && !stopped()) await new Promise((resolve) => setTimeout(resolve, 5));
}

export async function runReplayTrace(
  shared: LoopShared,
  target: TargetCall,
  decode: (bytes: Uint8Array) => unknown,
  spec: ReplayTraceSpec,
  post: (message: TraceLoopMessage) => void,
  /** The TargetContext of the n-th call, built by the worker as for any replay. */
  context: (iteration: number) => TargetContext,
): Promise<void> {
  const violations = spec.violations.map((v) => ({ id: v.id, input: { bytes: v.input, value: decode(v.input) } }));
  const baseline: FedInput[] = spec.baseline.map((bytes) => ({ bytes, value: decode(bytes) }));
  if (spec.waitForFile) await waitForFile(spec.waitForFile.path, spec.waitForFile.timeoutMs, () => Atomics.load(shared.control, CONTROL.STOP) === 1);
  const profiler = await startProfiler(spec);
  const deadline = performance.now() + spec.durationMs;
  const calls = { violation: 0, baseline: 0 };
  let seq = 0;
  let next = 0;
  const stopRequested = (): boolean => Atomics.load(shared.control, CONTROL.STOP) === 1;
  do {
    for (const v of violations) {
      const id = seq++;
      // The opening message carries the time before posting (a hung call's window starts there);
      // the closing one the time after, so posting is not counted inside the call.
      post({ type: 'trace-window', seq: id, id: v.id, kind: 'violation', startNs: now(), endNs: null });
      const startNs = now();
      await call(shared, target, v.input, context(calls.violation++));
      const endNs = now();
      post({ type: 'trace-window', seq: id, id: v.id, kind: 'violation', startNs, endNs });
      if (baseline.length === 0) continue;
      // About as much baseline time as violation time: both sides collect similar sample counts.
      const budgetNs = endNs - startNs;
      const batchStart = now();
      do {
        await call(shared, target, baseline[next++ % baseline.length] as FedInput, context(calls.baseline++));
      } while (now() - batchStart < budgetNs);
      post({ type: 'trace-window', seq: seq++, id: BASELINE_WINDOW_ID, kind: 'baseline', startNs: batchStart, endNs: now() });
    }
    // Let the stop flag and queued messages through now and then.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } while (performance.now() < deadline && !stopRequested());

  let profile: V8CpuProfile | null = null;
  let profilerError = profiler.error;
  if (profiler.session) {
    try {
      profile = await profiler.session.stop();
    } catch (error) {
      profilerError = `V8 profiler failed to stop: ${(error as Error).message}`;
    }
  }
  post({ type: 'trace-done', profile, profilerError, calls });
}

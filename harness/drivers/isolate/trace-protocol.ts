/**
 * What a trace session (trace-session.ts) and the trace loop inside the isolate's worker
 * (replay-trace.ts) exchange: the replay spec going in, call windows and the profile coming
 * out. Types only, so the isolate protocol (protocol.ts) can name them without importing the loop.
 */
import type { V8CpuProfile } from '../../trace/v8-profile.ts';

/** What the parent asks the trace loop to do (plain data: crosses process and thread boundaries). */
export interface ReplayTraceSpec {
  /** Violating inputs; each one's calls are windows with its id. */
  violations: Array<{ id: string; input: Uint8Array }>;
  /** Baseline inputs, called round-robin between violating calls. May be empty (no diff then). */
  baseline: Uint8Array[];
  /** How long the loop runs, ms (it always completes at least one round). */
  durationMs: number;
  /** Start the V8 CPU profiler in this thread (the fallback backend); null with bpftrace. */
  v8Profiler: { intervalUs: number } | null;
  /**
   * Wait until this file exists before the first call (at most `timeoutMs`): the parent creates it
   * once bpftrace's probes are live, so no replay time is spent before the sampler runs.
   */
  waitForFile?: { path: string; timeoutMs: number };
}

/** One call window, or (endNs null) the opening of a violating call that may never return. */
export interface TraceWindowMessage {
  type: 'trace-window';
  seq: number;
  id: string;
  kind: 'violation' | 'baseline';
  startNs: bigint;
  endNs: bigint | null;
}

/** Sent once at the end of the loop. */
export interface TraceDoneMessage {
  type: 'trace-done';
  /** The V8 CPU profile when the V8 profiler ran, else null. */
  profile: V8CpuProfile | null;
  /** Why the V8 profiler did not run or stop cleanly, if it did not. */
  profilerError: string | null;
  calls: { violation: number; baseline: number };
}

export type TraceLoopMessage = TraceWindowMessage | TraceDoneMessage;

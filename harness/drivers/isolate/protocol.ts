/**
 * Messages between the harness (parent), the isolate host (a child process) and the
 * measured loop (a worker thread inside the host). The loop never sends one message per
 * call: it records latencies into its own histogram and reports cumulative snapshots.
 */
import type { ResolvedScenario } from '../../scenario/types.ts';
import type { ChaosSnapshotWire, ResolvedChaos } from '../../scenario/chaos-types.ts';
import type { ReplayTraceSpec, TraceLoopMessage } from './trace-protocol.ts';
import type { RecoveryFiles } from './recovery-files.ts';

export type IsolateMode =
  | { kind: 'fuzz'; durationMs: number; calls: number | null }
  | { kind: 'replay'; input: Uint8Array; repeats: number; trace?: ReplayTraceSpec };

/** Everything the worker needs; plain data so it crosses process and thread boundaries. */
export interface IsolateConfig {
  scenario: ResolvedScenario;
  seed: number;
  mode: IsolateMode;
  /** Seed corpus entries (bytes, or structured-clone serialised values for arbitrary inputs). */
  seeds: Uint8Array[];
  /** How many slow inputs to confirm by re-running before calling them findings. */
  confirmRepeats: number;
  /** Interval between cumulative snapshots, ms. */
  snapshotIntervalMs: number;
  /** How many times the isolate was restarted before this worker (varies the input stream). */
  generation: number;
  /** Inputs that already hung or crashed a worker: not worth another restart. */
  avoid: Uint8Array[];
  /**
   * Which fuzz phase this isolate runs (engine/phases.ts): 'explore' = builtin engine with
   * V8 block coverage (latencies inflated, never the SLO's); 'measure' = no instrumentation,
   * cost-guided builtin engine, the histogram that decides the SLO. Absent: plain mutation source.
   */
  phase?: 'explore' | 'measure';
  /** Chaos for this isolate (a breaking-point step's intensity); absent: the scenario's own chaos. */
  chaos?: ResolvedChaos;
  /**
   * Where the worker and the host leave the inputs in flight, so that a target that kills
   * the isolate's process still leaves its input behind (recovery-files.ts). Set by isolate.ts.
   */
  recovery?: RecoveryFiles;
  /**
   * Force per-call in-flight writes whatever they cost: set after the isolate died and its
   * killer could not be told from the inputs it left, so the next death names its input.
   */
  recordEveryInput?: boolean;
}

export type FindingKindWire = 'slow' | 'timeout' | 'crash' | 'exit' | 'oom' | 'error';

export interface FindingMessage {
  type: 'finding';
  kind: FindingKindWire;
  input: Uint8Array;
  latencyMs: number;
  /** Latencies of the confirming re-runs, when the finding was confirmed. */
  confirmMs: number[];
  message: string | null;
  stack: string | null;
  /** Identifies findings with the same cause (error signature) for de-duplication. */
  signature: string;
  /** Total dependency delay injected into the finding's call, ms; absent without dependency chaos. */
  injectedMs?: number;
  /** True when the latency is already in the snapshot histogram (a timeout counted by the host). */
  counted?: boolean;
}

export interface SnapshotMessage {
  type: 'snapshot';
  /** Cumulative for this worker's life: encoded HDR histogram (µs). */
  histogram: string;
  calls: number;
  elapsedMs: number;
  /** Distinct inputs that reached the loop so far (for the progress line). */
  final: boolean;
  /** Cumulative injected-delay counts and dependency outcomes; absent without dependency chaos. */
  chaos?: ChaosSnapshotWire;
  /**
   * Cumulative wall time of this isolate lost to stalls, ms: calls that timed out (their
   * whole elapsed time), calls still in flight past the timeout, and the gap from each kill
   * to the replacement worker's 'ready'. For the stall rule of the verdict.
   */
  stalledMs?: number;
  /** Encoded raw call times (µs) of a loop paced at `slo.rate`; `histogram` then holds the corrected latencies. */
  rawHistogram?: string;
}

export interface ReplayResultMessage {
  type: 'replay-result';
  latenciesMs: number[];
  threw: { message: string; stack: string | null } | null;
}

/** Worker -> host -> parent. */
export type IsolateEvent =
  | { type: 'ready'; engine: string; seeds: number; pid: number; tid: number }
  | SnapshotMessage
  | FindingMessage
  | ReplayResultMessage
  | { type: 'done'; reason: 'budget' | 'calls' | 'stopped' | 'replayed' }
  /** Inputs the engine kept for coverage or cost (saved encoding), for corpora/<scenario>/interesting. */
  | { type: 'interesting'; inputs: Uint8Array[] }
  /** `cause` 'load-timeout': the worker never finished loading the scenario module (a configuration error). */
  | { type: 'fatal'; message: string; stack: string | null; cause?: 'load-timeout' }
  /** Replay with a `trace` spec: call windows and the V8 profile (replay-trace.ts). */
  | TraceLoopMessage;

/** Host -> parent, besides relayed worker events. */
export type HostEvent =
  | IsolateEvent
  | { type: 'heartbeat' }
  | { type: 'restart'; generation: number; reason: string };

/** Parent -> host. */
export type HostCommand = { type: 'start'; config: IsolateConfig } | { type: 'stop' };

/** RSS a worker may grow by on top of `memoryLimitMb` before it is out of memory (its own runtime, V8's young generation). */
export const RSS_ALLOWANCE_MB = 96;

/** Layout of the shared control block between the host and its worker. */
export const CONTROL = {
  /** Int32 slots. */
  STATE: 0, // 0 idle, 1 inside a target call
  STOP: 1, // set to 1 by the host: finish the current call and report
  INPUT_LENGTH: 2,
  CALL_SEQ: 3,
  INT32_SLOTS: 4,
  /** Float64 slot: epoch milliseconds (timeOrigin + now) when the current call started. */
  CALL_STARTED_AT: 0,
  FLOAT64_SLOTS: 1,
} as const;

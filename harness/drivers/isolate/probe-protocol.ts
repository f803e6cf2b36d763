/**
 * Messages of the probe isolate: the harness (parent) <-> the probe host (a child process)
 * <-> its warm worker threads. The probe answers "how long is this input's FIRST call?":
 * each worker has loaded the target once, and a distinct input is a first call in every
 * worker, so memoising targets (LRU caches in parsers) cannot hide a slow input.
 */
import type { ResolvedScenario } from '../../scenario/types.ts';

/** How one call in one worker ended. `timeout`: killed at the scenario timeout (latency >= timeout). */
export type ProbeCallKind = 'ok' | 'threw' | 'timeout' | 'crash' | 'exit' | 'oom';

export interface ProbeCall {
  kind: ProbeCallKind;
  /**
   * Latency in ms, less the time the thread sat in the CPU run queue during the call (Linux
   * /proc/thread-self/schedstat): on a shared machine other processes' load must not make
   * an input look slow, while sleeps and I/O waits of the target still count. Equal to
   * `wallMs` where schedstat is unavailable. For a timeout: the time until the worker was
   * killed (>= the timeout).
   */
  ms: number;
  /** Wall-clock latency, ms. */
  wallMs?: number;
  /** Time spent runnable but waiting for a CPU during the call, ms. */
  queuedMs?: number;
  /** Error message for threw/crash/exit/oom. */
  message: string | null;
  stack: string | null;
}

/** One input measured once in each of the k workers. */
export interface ProbeMeasurement {
  calls: ProbeCall[];
  latenciesMs: number[];
  medianMs: number;
  /** True when this exact input was measured before and the first-call answer was reused. */
  memoised: boolean;
}

export interface ProbeConfig {
  scenario: ResolvedScenario;
  /** Warm worker threads (default 3). */
  workers: number;
  /** Inputs each worker calls once after loading, so the JIT and lazy imports are warm. */
  warmup: Uint8Array[];
  seed: number;
  /** Where the host writes each input before calling it, so a parent can name the input that killed the host. */
  lastInputFile?: string;
}

export interface ArbitraryShrinkRequest {
  input: Uint8Array;
  budgetMs: number;
  margin: number;
  maxMs: number;
  maxOracleCalls: number;
}

export interface ArbitraryShrinkReply {
  /** Structured-clone bytes of the smallest violating value found. */
  input: Uint8Array;
  originalSize: number;
  size: number;
  oracleCalls: number;
  measurements: number;
  improvements: number;
  initialViolates: boolean;
  stoppedEarly: boolean;
}

/** Parent -> host. */
export type ProbeCommand =
  | { type: 'start'; config: ProbeConfig }
  /** `slot`: one worker only (the oracle asks one first call at a time); absent: every worker. */
  | { type: 'measure'; id: number; input: Uint8Array; slot?: number }
  | { type: 'shrink-arbitrary'; id: number; request: ArbitraryShrinkRequest }
  | { type: 'stop' };

/** Host -> parent. */
export type ProbeEvent =
  | { type: 'ready'; workers: number }
  | { type: 'measured'; id: number; calls: ProbeCall[]; memoised: boolean }
  | { type: 'shrunk'; id: number; reply: ArbitraryShrinkReply }
  | { type: 'failed'; id: number; message: string }
  /** `cause` 'load-timeout': a worker never finished loading the scenario module. */
  | { type: 'fatal'; message: string; stack: string | null; cause?: 'load-timeout' }
  | { type: 'heartbeat' };

/** Host -> worker and back. */
export type ProbeWorkerCommand = { type: 'call'; id: number; input: Uint8Array };
export type ProbeWorkerEvent =
  /** The module loaded; warm-up calls follow (bounded by the host: a seed may hang). */
  | { type: 'loaded' }
  | { type: 'ready' }
  | { type: 'result'; id: number; ms: number; wallMs: number; queuedMs: number; threw: boolean; message: string | null; stack: string | null }
  | { type: 'fatal'; message: string; stack: string | null };

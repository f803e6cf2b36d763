/**
 * One worker of the isolate host (isolate-host.ts) and the shared memory the host reads it
 * through: the control block, the call's start time and input, the latency counts, the
 * dependency chaos counts and the ring of recent inputs. Everything here reads that memory,
 * never asks the worker, so it works while the worker hangs in a target call. The host
 * decides what to do with a worker (kill, restart, report); this file only builds and reads one.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CONTROL, type IsolateConfig, type SnapshotMessage } from './protocol.ts';
import type { IsolateWorkerData } from './isolate-worker.ts';
import { encodeHistogram } from '../../measure/histogram.ts';
import { createSharedCounts, rawCountsView, rawHistogramOf, recordSharedMs, sharedTotal, toHistogram } from '../../measure/shared-counts.ts';
import { createChaosBuffers, readChaosSnapshot, type ChaosBuffers } from './isolate-chaos.ts';
import { createRing, flushRing, ringEntries, ringView, type RingView } from './recovery-files.ts';

const WORKER_FILE = fileURLToPath(new URL('./isolate-worker-boot.mjs', import.meta.url));

export interface WorkerRun {
  worker: Worker;
  control: Int32Array;
  times: Float64Array;
  input: Uint8Array;
  counts: Float64Array;
  /** Injected-delay counts of dependency chaos (absent without). */
  chaos?: ChaosBuffers | undefined;
  startedAt: number;
  /** Set once the host decided the worker's fate, so exit handlers don't report twice. */
  settled: boolean;
  /** True once the worker loaded the scenario and said 'ready'. */
  ready: boolean;
  /** The last inputs the worker handed to the target (recovery-files.ts). */
  ring: RingView;
  /** Ring sequence at the last flush: unchanged rings are not written again. */
  flushedSeq: number;
  /** Process RSS just before this worker started, bytes. */
  rssBefore: number;
  loadTimer: NodeJS.Timeout;
}

/**
 * Starts a worker on `config` (the host's config with what is left of the budget) with fresh
 * shared memory. `onLoadTimeout` runs if the worker has not loaded the scenario in time.
 */
export function startWorkerRun(config: IsolateConfig, loadTimeoutMs: number, onLoadTimeout: (run: WorkerRun) => void): WorkerRun {
  const { scenario } = config;
  const control = new SharedArrayBuffer(CONTROL.INT32_SLOTS * 4);
  const times = new SharedArrayBuffer(CONTROL.FLOAT64_SLOTS * 8);
  const inputBuffer = new SharedArrayBuffer(Math.max(1, scenario.input.maxLength));
  // A loop paced at slo.rate keeps its raw call times in a second region of the counts.
  const paced = scenario.kind === 'function' && scenario.slo.rate !== undefined;
  const counts = createSharedCounts(paced ? 2 : 1);
  const chaos = createChaosBuffers(config);
  const ring = createRing(scenario.input.maxLength);
  const data: IsolateWorkerData = { config, control, times, inputBuffer, counts, ring, ...(chaos ? { chaos } : {}) };
  const rssBefore = process.memoryUsage.rss();
  const worker = new Worker(WORKER_FILE, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: scenario.memoryLimitMb },
    stdout: false,
    stderr: false,
  });
  const run: WorkerRun = {
    worker,
    control: new Int32Array(control),
    times: new Float64Array(times),
    input: new Uint8Array(inputBuffer),
    counts: new Float64Array(counts),
    chaos,
    startedAt: performance.now(),
    settled: false,
    ready: false,
    ring: ringView(ring, scenario.input.maxLength),
    flushedSeq: 0,
    rssBefore,
    loadTimer: setTimeout(() => onLoadTimeout(run), loadTimeoutMs),
  };
  return run;
}

/** Cumulative counts of the worker, read from shared memory: works even if it hangs. */
export function snapshotOf(run: WorkerRun, final: boolean, stalledMs: number): SnapshotMessage {
  const h = toHistogram(run.counts);
  const raw = rawHistogramOf(run.counts);
  const chaos = readChaosSnapshot(run.chaos);
  const snapshot: SnapshotMessage = {
    type: 'snapshot',
    histogram: encodeHistogram(h),
    calls: sharedTotal(run.counts),
    elapsedMs: performance.now() - run.startedAt,
    final,
    stalledMs,
    ...(raw ? { rawHistogram: encodeHistogram(raw) } : {}),
    ...(chaos ? { chaos } : {}),
  };
  h.destroy();
  raw?.destroy();
  return snapshot;
}

/** The input of the call in progress and when it started (epoch ms), if the worker is inside a call. */
export function inFlightInput(run: WorkerRun): { input: Uint8Array; startedAt: number } | null {
  if (Atomics.load(run.control, CONTROL.STATE) !== 1) return null;
  const length = run.control[CONTROL.INPUT_LENGTH] ?? 0;
  return { input: run.input.slice(0, length), startedAt: run.times[CONTROL.CALL_STARTED_AT] ?? 0 };
}

/** A call that took at least `elapsed` ms: counted in the corrected and (when paced) raw histograms. */
export function recordCensored(run: WorkerRun, elapsed: number): void {
  recordSharedMs(run.counts, elapsed);
  const raw = rawCountsView(run.counts);
  if (raw) recordSharedMs(raw, elapsed);
}

/** Writes the ring of recent inputs to its file when it changed since the last flush. */
export function flushRingOf(run: WorkerRun, ringFile: string): void {
  const seq = Atomics.load(run.ring.seq, 0);
  if (seq === run.flushedSeq) return;
  run.flushedSeq = seq;
  try {
    flushRing(ringEntries(run.ring), ringFile);
  } catch {
    // A full temp folder costs crash recovery, not the run.
  }
}

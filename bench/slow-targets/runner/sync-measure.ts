/**
 * Synchronous timing of a slow target in a separate, uninstrumented worker thread, for
 * code that cannot await: the builtin engine's fuzz loop and Jazzer's synchronous fuzz
 * function. Both run the target instrumented (V8 block coverage, Jazzer's babel counters),
 * which was measured here to slow tight loops 1.3-4x; a violation seen there is confirmed
 * by timing the input where nothing is instrumented. The caller blocks on Atomics.wait;
 * a call past hangMs is reported as hangMs and the worker is replaced.
 */
import { decidedEarly } from '../../../harness/measure/call-judgement.ts';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SyncMeasureWorkerData } from './protocol.ts';

const BOOT = fileURLToPath(new URL('./boot.mjs', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** Int32 slots: state (0 starting, 1 idle, 2 request, 3 answered), input length. */
export const SYNC = { STATE: 0, LENGTH: 1, STARTING: 0, IDLE: 1, REQUEST: 2, ANSWERED: 3 } as const;

export class SyncMeasure {
  private worker: Worker | null = null;
  private control = new Int32Array(new SharedArrayBuffer(8));
  private result = new Float64Array(new SharedArrayBuffer(8));
  private input: Uint8Array;
  measurements = 0;
  hangs = 0;

  constructor(
    private readonly target: string,
    maxLength: number,
    private readonly hangMs: number,
  ) {
    this.input = new Uint8Array(new SharedArrayBuffer(Math.max(1, maxLength)));
  }

  /** Milliseconds of one uninstrumented call (hangMs when it did not return in time). */
  measure(input: Uint8Array): number {
    this.ensureStarted();
    const n = Math.min(input.length, this.input.length);
    this.input.set(n === input.length ? input : input.subarray(0, n));
    this.control[SYNC.LENGTH] = n;
    Atomics.store(this.control, SYNC.STATE, SYNC.REQUEST);
    Atomics.notify(this.control, SYNC.STATE);
    this.measurements++;
    const outcome = Atomics.wait(this.control, SYNC.STATE, SYNC.REQUEST, this.hangMs);
    if (outcome === 'timed-out' && Atomics.load(this.control, SYNC.STATE) === SYNC.REQUEST) {
      this.hangs++;
      this.close();
      return this.hangMs;
    }
    const ms = this.result[0] as number;
    Atomics.store(this.control, SYNC.STATE, SYNC.IDLE);
    return ms;
  }

  /**
   * True when the median of three uninstrumented calls is over the threshold (budget.ts
   * confirmThresholdMs); stops as soon as two calls agree (most candidates from instrumented
   * runs fail after two fast calls).
   */
  violates(input: Uint8Array, thresholdMs: number): boolean {
    const samples: number[] = [];
    let violates = decidedEarly(samples, 3, thresholdMs);
    while (violates === null) {
      samples.push(this.measure(input));
      violates = decidedEarly(samples, 3, thresholdMs);
    }
    return violates;
  }

  close(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
  }

  /** Starts the worker now (it takes ~1 s to load), so that the first confirmation does not wait for it. */
  start(): this {
    this.ensureStarted();
    return this;
  }

  private ensureStarted(): void {
    if (this.worker) return;
    this.control = new Int32Array(new SharedArrayBuffer(8));
    this.result = new Float64Array(new SharedArrayBuffer(8));
    const data: SyncMeasureWorkerData = { kind: 'sync-measure', target: this.target, control: this.control.buffer as SharedArrayBuffer, result: this.result.buffer as SharedArrayBuffer, input: this.input.buffer as SharedArrayBuffer };
    this.worker = new Worker(BOOT, { workerData: data });
    this.worker.unref();
    const ready = Atomics.wait(this.control, SYNC.STATE, SYNC.STARTING, READY_TIMEOUT_MS);
    if (ready === 'timed-out') throw new Error(`sync measure worker for ${this.target} did not start`);
  }
}

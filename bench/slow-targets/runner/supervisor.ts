/**
 * Main-thread side of the bench workers: runs a fuzz worker under a watchdog (a call that
 * runs past hangMs is a violation: it is certainly slower than the budget, and waiting for
 * an exponential call to finish could take hours), and offers measurements with a
 * time limit for shrinking and calibration.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CONTROL_BYTES,
  CONTROL_TOTAL_BYTES,
  F64,
  SLOT,
  type FuzzEngineKind,
  type FuzzOutcome,
  type FuzzWorkerData,
  type MeasureReply,
  type MeasureWorkerData,
} from './protocol.ts';

const BOOT = fileURLToPath(new URL('./boot.mjs', import.meta.url));
const WATCH_INTERVAL_MS = 25;

export interface FuzzRunOptions {
  engine: FuzzEngineKind;
  target: string;
  seed: number;
  seconds: number;
  budgetMs: number;
  maxLength: number;
  /** A call running this long is stopped and counted as a violation. */
  hangMs: number;
}

export function runFuzzWorker(opts: FuzzRunOptions): Promise<FuzzOutcome> {
  const control = new SharedArrayBuffer(CONTROL_TOTAL_BYTES);
  const inputBuffer = new SharedArrayBuffer(Math.max(1, opts.maxLength));
  const data: FuzzWorkerData = { kind: 'fuzz', engine: opts.engine, target: opts.target, seed: opts.seed, seconds: opts.seconds, hangMs: opts.hangMs, control, inputBuffer };
  const ints = new Int32Array(control, 0, 2);
  const times = new Float64Array(control, CONTROL_BYTES, 2);
  const worker = new Worker(BOOT, { workerData: data });
  return new Promise<FuzzOutcome>((resolve) => {
    let settled = false;
    const finish = (result: FuzzOutcome): void => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      void worker.terminate();
      resolve(result);
    };
    const watch = setInterval(() => {
      if (Atomics.load(ints, SLOT.IN_CALL) !== 1) return;
      const startedAt = times[F64.CALL_STARTED_AT] as number;
      if (Date.now() - startedAt < opts.hangMs) return;
      const input = new Uint8Array(inputBuffer, 0, ints[SLOT.INPUT_LENGTH] as number).slice();
      const loopStart = times[F64.LOOP_STARTED_AT] as number;
      finish({
        type: 'outcome',
        found: true,
        // The call was known to be over budget budgetMs after it started.
        timeToViolationMs: startedAt + opts.budgetMs - loopStart,
        inputHex: Buffer.from(input).toString('hex'),
        executions: -1,
        detail: { stoppedHangingCallAfterMs: opts.hangMs },
      });
    }, WATCH_INTERVAL_MS);
    worker.on('message', (m: FuzzOutcome) => finish(m));
    worker.on('error', (e: Error) => finish(failed(`worker error: ${e.message}`)));
    worker.on('exit', (code) => finish(failed(`worker exited with code ${code} before reporting`)));
  });
}

function failed(reason: string): FuzzOutcome {
  return { type: 'outcome', found: false, timeToViolationMs: null, inputHex: null, executions: 0, detail: { error: reason } };
}

/**
 * Timed calls of one target in a measurement worker. A call past hangMs kills the worker
 * (a new one is started for the next request) and is reported as hangMs.
 */
export class WorkerMeasure {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 0;
  private pending: { id: number; resolve: (ms: number) => void } | null = null;
  measurements = 0;
  hangs = 0;

  constructor(
    private readonly target: string,
    private readonly hangMs: number,
  ) {}

  async measure(input: Uint8Array): Promise<number> {
    await this.start();
    const worker = this.worker as Worker;
    this.measurements++;
    const id = this.nextId++;
    return new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = null;
        this.hangs++;
        void this.kill();
        resolve(this.hangMs);
      }, this.hangMs);
      this.pending = {
        id,
        resolve: (ms) => {
          clearTimeout(timer);
          resolve(ms);
        },
      };
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    await this.kill();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const data: MeasureWorkerData = { kind: 'measure', target: this.target };
    const worker = new Worker(BOOT, { workerData: data });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: MeasureReply) => {
        if (reply.id === -1) resolve();
        else if (this.pending && this.pending.id === reply.id) {
          const p = this.pending;
          this.pending = null;
          p.resolve(reply.ms);
        }
      });
      worker.on('error', reject);
    });
    return this.ready;
  }

  private async kill(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }
}

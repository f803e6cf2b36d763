/**
 * CPU burners: worker threads that spin for `duty * period` and sleep for the rest of each
 * period. The default CPU stressor: no external binary, and threads cannot outlive the
 * harness process (they die with it, also on a crash or SIGKILL).
 *
 * Duty is wall-clock: under contention a burner spins for its share of wall time and gets
 * at most that much CPU. Stop is immediate: the sleep is an `Atomics.wait` on a shared
 * control word that `stop()` sets and notifies, and the spin loop checks the same word.
 */
import { Worker } from 'node:worker_threads';
import type { StressHandle } from './types.ts';

export interface CpuBurnerOptions {
  /** Number of worker threads (>= 1). */
  threads: number;
  /** Fraction of each period spent spinning, 0..1. */
  duty: number;
  /** Length of one spin + sleep cycle. Default 100 ms. */
  periodMs?: number;
}

export interface CpuBurnerHandle extends StressHandle {
  kind: 'burner';
  readonly threads: number;
  /** Changes the duty of every thread from its next period on (an intensity knob). */
  setDuty(duty: number): void;
  /** Threads that have not exited yet. */
  aliveThreads(): number;
}

export const DEFAULT_PERIOD_MS = 100;

/** Layout of the shared control words. */
const STOP = 0;
const DUTY_PPM = 1;
const PERIOD_US = 2;
const CONTROL_WORDS = 3;
/** How long stop() waits for a thread to leave its loop before terminating it. */
const STOP_GRACE_MS = 2000;

/** The burner loop. Plain JavaScript run with `eval: true`, so it needs no TypeScript loader. */
const BURNER_SOURCE = `
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
let sink = 1;
while (Atomics.load(control, ${STOP}) === 0) {
  const periodMs = Atomics.load(control, ${PERIOD_US}) / 1000;
  const busyMs = (periodMs * Atomics.load(control, ${DUTY_PPM})) / 1e6;
  const start = performance.now();
  while (performance.now() - start < busyMs && Atomics.load(control, ${STOP}) === 0) {
    for (let i = 0; i < 2000; i++) sink = (Math.imul(sink, 1103515245) + 12345) | 0;
  }
  const idleMs = start + periodMs - performance.now();
  if (idleMs > 0) Atomics.wait(control, ${STOP}, 0, idleMs);
}
if (sink === 42) console.log('');
`;

function validateDuty(duty: number): void {
  if (!(duty >= 0 && duty <= 1)) throw new RangeError(`burner duty must be in [0, 1], got ${duty}`);
}

function validateOptions({ threads, duty, periodMs }: CpuBurnerOptions): void {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`burner threads must be an integer >= 1, got ${threads}`);
  validateDuty(duty);
  if (periodMs !== undefined && !(periodMs >= 1 && periodMs <= 60_000)) {
    throw new RangeError(`burner periodMs must be in [1, 60000], got ${periodMs}`);
  }
}

function startWorker(control: SharedArrayBuffer): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BURNER_SOURCE, { eval: true, workerData: { control } });
    worker.once('online', () => {
      // While it runs, a forgotten burner must not keep the harness alive (threads die
      // with the process anyway); start() and stop() keep a reference while awaited.
      worker.unref();
      resolve(worker);
    });
    worker.once('error', reject);
  });
}

function waitForExit(worker: Worker, exited: Set<Worker>): Promise<void> {
  if (exited.has(worker)) return Promise.resolve();
  worker.ref();
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startCpuBurners(options: CpuBurnerOptions): Promise<CpuBurnerHandle> {
  validateOptions(options);
  const periodMs = options.periodMs ?? DEFAULT_PERIOD_MS;
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
  Atomics.store(control, DUTY_PPM, Math.round(options.duty * 1e6));
  Atomics.store(control, PERIOD_US, Math.round(periodMs * 1000));
  let duty = options.duty;

  const exited = new Set<Worker>();
  const workers: Worker[] = [];
  const stopAll = (): void => {
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, STOP);
  };
  try {
    for (let i = 0; i < options.threads; i++) {
      const worker = await startWorker(control.buffer as SharedArrayBuffer);
      worker.once('exit', () => exited.add(worker));
      workers.push(worker);
    }
  } catch (error) {
    stopAll();
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }

  let stopping: Promise<void> | null = null;
  return {
    kind: 'burner',
    threads: options.threads,
    describe: () =>
      `${options.threads} burner thread${options.threads === 1 ? '' : 's'} at ${Math.round(duty * 100)}% duty (${periodMs} ms period)`,
    setDuty(next: number): void {
      validateDuty(next);
      duty = next;
      Atomics.store(control, DUTY_PPM, Math.round(next * 1e6));
    },
    aliveThreads: () => workers.filter((w) => !exited.has(w)).length,
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopAll();
        await Promise.all(workers.map((w) => waitForExit(w, exited)));
      })();
      return stopping;
    },
  };
}

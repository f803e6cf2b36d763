/**
 * The isolate host: a child process of the harness that runs the measured loop on a
 * worker thread and watches it. A call that outlives the scenario's timeout is killed
 * (worker.terminate interrupts running JavaScript, regular expressions included), its
 * input is read from shared memory and reported, and a fresh worker continues the phase.
 * Exits, out-of-memory and crashes of the worker are findings in the same way. Because
 * the host is its own process, even a native crash in a target cannot take the harness down.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CONTROL, type FindingKindWire, type HostCommand, type HostEvent, type IsolateConfig, type IsolateEvent } from './protocol.ts';
import type { IsolateWorkerData } from './isolate-worker.ts';
import { encodeHistogram, initHistogramsSync } from '../measure/histogram.ts';
import { createSharedCounts, sharedTotal, toHistogram } from '../measure/shared-counts.ts';
import { createChaosBuffers, readChaosSnapshot, type ChaosBuffers } from '../chaos/isolate-chaos.ts';

const WORKER_FILE = fileURLToPath(new URL('./isolate-worker-boot.mjs', import.meta.url));
/** A target that crashes this often is not being fuzzed any more: stop with an error. */
const MAX_RESTARTS = 200;
/** How long terminate() may take before the host gives up on the worker and exits. */
const TERMINATE_GRACE_MS = 3000;
const HEARTBEAT_MS = 500;

function send(event: HostEvent): void {
  if (process.connected) process.send?.(event);
}

interface WorkerRun {
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
}

class Host {
  private run: WorkerRun | null = null;
  private generation = 0;
  private stopped = false;
  private readonly startedAt = performance.now();
  private watchdog: NodeJS.Timeout | null = null;
  private snapshots: NodeJS.Timeout | null = null;
  /** Inputs that hung or crashed a worker in this run (bounded). */
  private readonly badInputs: Uint8Array[] = [];

  constructor(private readonly config: IsolateConfig) {}

  start(): void {
    this.spawn();
    const tick = Math.max(5, Math.min(50, this.config.scenario.timeoutMs / 4));
    this.watchdog = setInterval(() => this.checkForHang(), tick);
    this.snapshots = setInterval(() => {
      if (this.run && !this.run.settled) this.sendSnapshot(this.run, false);
    }, this.config.snapshotIntervalMs);
  }

  /** Cumulative counts of the current worker, read from shared memory: works even if it hangs. */
  private sendSnapshot(run: WorkerRun, final: boolean): void {
    const h = toHistogram(run.counts);
    const chaos = readChaosSnapshot(run.chaos);
    send({ type: 'snapshot', histogram: encodeHistogram(h), calls: sharedTotal(run.counts), elapsedMs: performance.now() - run.startedAt, final, ...(chaos ? { chaos } : {}) });
    h.destroy();
  }

  stop(): void {
    this.stopped = true;
    if (this.run) Atomics.store(this.run.control, CONTROL.STOP, 1);
  }

  private spawn(): void {
    const { config } = this;
    const remaining = this.remainingConfig();
    if (!remaining) {
      send({ type: 'done', reason: 'budget' });
      this.finish();
      return;
    }
    const control = new SharedArrayBuffer(CONTROL.INT32_SLOTS * 4);
    const times = new SharedArrayBuffer(CONTROL.FLOAT64_SLOTS * 8);
    const inputBuffer = new SharedArrayBuffer(Math.max(1, config.scenario.input.maxLength));
    const counts = createSharedCounts();
    const chaos = createChaosBuffers(remaining);
    const data: IsolateWorkerData = { config: remaining, control, times, inputBuffer, counts, ...(chaos ? { chaos } : {}) };
    const worker = new Worker(WORKER_FILE, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: config.scenario.memoryLimitMb },
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
    };
    if (this.stopped) Atomics.store(run.control, CONTROL.STOP, 1);
    this.run = run;
    worker.on('message', (event: IsolateEvent) => this.onWorkerEvent(run, event));
    worker.on('error', (error: Error & { code?: string }) => {
      const kind: FindingKindWire = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash';
      this.onWorkerDeath(run, kind, `${error.name}: ${error.message}`, error.stack ?? null);
    });
    worker.on('exit', (code) => {
      this.onWorkerDeath(run, 'exit', `target called process.exit(${code}) or the worker exited`, null);
    });
  }

  /** The config for the next worker: what is left of the budget after earlier workers. */
  private remainingConfig(): IsolateConfig | null {
    const { mode } = this.config;
    const avoid = [...this.config.avoid, ...this.badInputs];
    if (mode.kind !== 'fuzz') return { ...this.config, generation: this.generation };
    const elapsed = performance.now() - this.startedAt;
    const durationMs = mode.durationMs - elapsed;
    if (durationMs <= 0 && this.generation > 0) return null;
    return { ...this.config, generation: this.generation, avoid, mode: { ...mode, durationMs: Math.max(0, durationMs) } };
  }

  private onWorkerEvent(run: WorkerRun, event: IsolateEvent): void {
    if (event.type === 'ready') run.ready = true;
    if (event.type === 'done') {
      run.settled = true;
      this.sendSnapshot(run, true);
      send(event);
      void run.worker.terminate();
      this.finish();
      return;
    }
    if (event.type === 'fatal') {
      run.settled = true;
      this.sendSnapshot(run, true);
    }
    send(event);
    if (event.type === 'fatal') {
      void run.worker.terminate();
      this.finish();
    }
  }

  /** Reads the input of the call in progress, if the worker was inside a call. */
  private inFlightInput(run: WorkerRun): { input: Uint8Array; startedAt: number } | null {
    if (Atomics.load(run.control, CONTROL.STATE) !== 1) return null;
    const length = run.control[CONTROL.INPUT_LENGTH] ?? 0;
    return { input: run.input.slice(0, length), startedAt: run.times[CONTROL.CALL_STARTED_AT] ?? 0 };
  }

  private onWorkerDeath(run: WorkerRun, kind: FindingKindWire, message: string, stack: string | null): void {
    if (run.settled) return;
    run.settled = true;
    if (!run.ready) {
      // Died while loading the scenario: a configuration problem, not a finding.
      send({ type: 'fatal', message: `the isolate failed to start: ${message}`, stack });
      this.finish();
      return;
    }
    const inFlight = this.inFlightInput(run);
    const now = performance.timeOrigin + performance.now();
    this.sendSnapshot(run, true);
    if (inFlight && this.badInputs.length < 256) this.badInputs.push(inFlight.input);
    send({
      type: 'finding',
      kind,
      input: inFlight?.input ?? new Uint8Array(0),
      latencyMs: inFlight ? now - inFlight.startedAt : 0,
      confirmMs: [],
      message: inFlight ? message : `${message} (outside a target call)`,
      stack,
      signature: `${kind}:${message}`,
    });
    this.restart(`${kind}: ${message}`);
  }

  private checkForHang(): void {
    const run = this.run;
    if (!run || run.settled) return;
    const inFlight = this.inFlightInput(run);
    if (!inFlight) return;
    const elapsed = performance.timeOrigin + performance.now() - inFlight.startedAt;
    if (elapsed < this.config.scenario.timeoutMs) return;
    run.settled = true;
    this.sendSnapshot(run, true);
    if (this.badInputs.length < 256) this.badInputs.push(inFlight.input);
    send({
      type: 'finding',
      kind: 'timeout',
      input: inFlight.input,
      latencyMs: elapsed,
      confirmMs: [],
      message: `call did not return within the ${this.config.scenario.timeoutMs} ms timeout; worker terminated`,
      stack: null,
      signature: `timeout:${Buffer.from(inFlight.input).toString('base64')}`,
    });
    const grace = setTimeout(() => {
      send({ type: 'fatal', message: 'target could not be interrupted (native code?); isolate host exits', stack: null });
      process.exit(70);
    }, TERMINATE_GRACE_MS);
    void run.worker.terminate().then(() => {
      clearTimeout(grace);
      this.restart(`timeout after ${Math.round(elapsed)} ms`);
    });
  }

  private restart(reason: string): void {
    if (this.config.mode.kind === 'replay' || this.stopped) {
      send({ type: 'done', reason: this.stopped ? 'stopped' : 'replayed' });
      this.finish();
      return;
    }
    this.generation++;
    if (this.generation > MAX_RESTARTS) {
      send({ type: 'fatal', message: `target crashed or hung ${MAX_RESTARTS} times; giving up (last: ${reason})`, stack: null });
      this.finish();
      return;
    }
    send({ type: 'restart', generation: this.generation, reason });
    this.spawn();
  }

  private finish(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.snapshots) clearInterval(this.snapshots);
    this.watchdog = null;
    this.snapshots = null;
    // Give the IPC channel a moment to flush, then leave.
    setTimeout(() => process.exit(0), 20);
  }
}

initHistogramsSync();
let host: Host | null = null;
process.on('message', (command: HostCommand) => {
  if (command.type === 'start' && !host) {
    host = new Host(command.config);
    host.start();
  } else if (command.type === 'stop') {
    if (host) host.stop();
    else process.exit(0);
  }
});
// The harness went away (killed, crashed): never outlive it.
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => host?.stop());
process.on('SIGTERM', () => host?.stop());
setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();

/**
 * The isolate host: a child process of the harness that runs the measured loop on a
 * worker thread and watches it. A call that outlives the scenario's timeout is killed
 * (worker.terminate interrupts running JavaScript, regular expressions included), its
 * input is read from shared memory and reported, and a fresh worker continues the phase.
 * Exits, out-of-memory and crashes of the worker are findings in the same way. Because
 * the host is its own process, even a native crash in a target cannot take the harness down;
 * the inputs it leaves in recovery files (recovery-files.ts) name the call that did it.
 *
 * Memory: V8's heap limit does not cover Buffers and other memory outside the heap, so the
 * watchdog also reads the process's RSS every tick. A worker is out of memory when the RSS
 * has grown by more than `memoryLimitMb` + RSS_ALLOWANCE_MB since just before that worker
 * started: the allowance is the worker's own runtime (V8 isolate, tsx, the engine: ~35-50
 * MiB measured) and V8's young generation, so a target is judged on what it allocates.
 *
 * The worker's shared memory (control block, counts, in-flight input) is built and read in
 * worker-run.ts; this file decides each worker's fate.
 */
import { performance } from 'node:perf_hooks';
import { CONTROL, RSS_ALLOWANCE_MB, type FindingKindWire, type HostCommand, type HostEvent, type IsolateConfig, type IsolateEvent } from './protocol.ts';
import { initHistogramsSync } from '../../measure/histogram.ts';
import { describeThrown, endTargetChildren } from './hostile-values.ts';
import { loadTimeoutMessage, loadTimeoutMs } from './recovery-files.ts';
import { flushRingOf, inFlightInput, recordCensored, snapshotOf, startWorkerRun, type WorkerRun } from './worker-run.ts';

/** A target that crashes this often is not being fuzzed any more: stop with an error. */
const MAX_RESTARTS = 200;
/** How long terminate() may take before the host gives up on the worker and exits. */
const TERMINATE_GRACE_MS = 3000;
const HEARTBEAT_MS = 500;
const WORKER_EVENTS = new Set(['ready', 'snapshot', 'finding', 'replay-result', 'done', 'interesting', 'fatal', 'trace-window', 'trace-done']);

function send(event: HostEvent): void {
  if (process.connected) process.send?.(event);
}

class Host {
  private run: WorkerRun | null = null;
  /** Starts at the config's: a host started after another host died continues its numbering (and input streams). */
  private generation: number;
  private stopped = false;
  private readonly startedAt = performance.now();
  private watchdog: NodeJS.Timeout | null = null;
  private snapshots: NodeJS.Timeout | null = null;
  /** Inputs that hung or crashed a worker in this run (bounded). */
  private readonly badInputs: Uint8Array[] = [];
  /** Wall time lost to timed-out calls and to restarts after kills (SnapshotMessage.stalledMs). */
  private stalledMs = 0;
  /** When the last worker was killed or died; the gap until its replacement is ready is stalled time. */
  private killedAt: number | null = null;

  constructor(private readonly config: IsolateConfig) {
    this.generation = config.generation;
  }

  start(): void {
    this.spawn();
    const tick = Math.max(5, Math.min(50, this.config.scenario.timeoutMs / 4));
    this.watchdog = setInterval(() => this.tick(), tick);
    this.snapshots = setInterval(() => {
      if (this.run && !this.run.settled) this.sendSnapshot(this.run, false);
    }, this.config.snapshotIntervalMs);
  }

  /** Cumulative counts of the current worker, read from shared memory: works even if it hangs. */
  private sendSnapshot(run: WorkerRun, final: boolean): void {
    send(snapshotOf(run, final, this.stalledMs));
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
    const run = startWorkerRun(remaining, loadTimeoutMs(config.scenario), (r) => this.onLoadTimeout(r));
    const { worker } = run;
    if (this.stopped) Atomics.store(run.control, CONTROL.STOP, 1);
    this.run = run;
    worker.on('message', (event: IsolateEvent) => {
      // Only well-formed events: a target can reach parentPort too.
      if (event !== null && typeof event === 'object' && WORKER_EVENTS.has((event as { type?: unknown }).type as string)) this.onWorkerEvent(run, event);
    });
    worker.on('error', (error: unknown) => {
      // Any value can arrive here (`throw null` in a timer callback): never read it unguarded.
      const described = describeThrown(error);
      const kind: FindingKindWire = described.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash';
      this.onWorkerDeath(run, kind, described.message, described.stack);
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

  /** A worker that never said 'ready': its module hangs while loading. A configuration error. */
  private onLoadTimeout(run: WorkerRun): void {
    if (run.ready || run.settled) return;
    run.settled = true;
    const ms = loadTimeoutMs(this.config.scenario);
    send({ type: 'fatal', message: loadTimeoutMessage(this.config.scenario.file, ms), stack: null, cause: 'load-timeout' });
    this.terminateThen(run, () => this.finish());
  }

  private onWorkerEvent(run: WorkerRun, event: IsolateEvent): void {
    if (run.settled && event.type !== 'interesting') return;
    if (event.type === 'done' || event.type === 'fatal') clearTimeout(run.loadTimer);
    if (event.type === 'ready') {
      run.ready = true;
      clearTimeout(run.loadTimer);
      if (this.killedAt !== null) this.stalledMs += performance.now() - this.killedAt;
      this.killedAt = null;
    }
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

  private onWorkerDeath(run: WorkerRun, kind: FindingKindWire, message: string, stack: string | null): void {
    if (run.settled) return;
    run.settled = true;
    clearTimeout(run.loadTimer);
    if (!run.ready) {
      // Died while loading the scenario: a configuration problem, not a finding.
      send({ type: 'fatal', message: `the isolate failed to start: ${message}`, stack });
      this.finish();
      return;
    }
    this.reportDeath(run, kind, message, stack);
    this.restart(`${kind}: ${message}`);
  }

  /** The final snapshot and the finding of a worker that died or was killed, with the input in flight. */
  private reportDeath(run: WorkerRun, kind: FindingKindWire, message: string, stack: string | null): void {
    const inFlight = inFlightInput(run);
    const now = performance.timeOrigin + performance.now();
    this.killedAt = performance.now();
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
  }

  /** Every tick: the ring to its file, then memory, then hangs, then the end of the phase. */
  private tick(): void {
    const run = this.run;
    if (!run || run.settled) return;
    if (this.config.recovery) flushRingOf(run, this.config.recovery.ringFile);
    if (this.checkMemory(run)) return;
    const inFlight = inFlightInput(run);
    if (!inFlight) return;
    const elapsed = performance.timeOrigin + performance.now() - inFlight.startedAt;
    if (elapsed >= this.config.scenario.timeoutMs) this.onTimeout(run, inFlight.input, elapsed);
    else if (this.phaseOver() && elapsed >= this.config.scenario.slo.perCallMs) this.cutAtPhaseEnd(run, inFlight.input, elapsed);
  }

  /** RSS over the limit (see the header): kill the worker, an 'oom' finding with the input in flight. */
  private checkMemory(run: WorkerRun): boolean {
    const rss = process.memoryUsage.rss();
    const limitMb = this.config.scenario.memoryLimitMb + RSS_ALLOWANCE_MB;
    const grownMb = (rss - run.rssBefore) / 1048576;
    if (grownMb <= limitMb) return false;
    const message = `the isolate's memory grew by ${Math.round(grownMb)} MiB (RSS), over memoryLimitMb ${this.config.scenario.memoryLimitMb} + ${RSS_ALLOWANCE_MB} MiB for the worker's runtime; worker terminated`;
    run.settled = true;
    this.reportDeath(run, 'oom', message, null);
    // The replacement starts once the memory is returned, so its baseline is a clean one.
    this.terminateThen(run, () => this.restart('oom: RSS over the limit'));
    return true;
  }

  /**
   * The phase is over for a call in flight only when a stop was asked for. When the budget
   * runs out the call keeps running: it returns (the loop counts it) or the watchdog ends it
   * at the timeout (counted here), so it is never lost, and an out-of-memory or a timeout
   * that was about to happen is still reported as one.
   */
  private phaseOver(): boolean {
    return this.stopped;
  }

  private onTimeout(run: WorkerRun, input: Uint8Array, elapsed: number): void {
    run.settled = true;
    // The call took at least this long: the histogram gets it at the moment of the kill.
    recordCensored(run, elapsed);
    this.stalledMs += elapsed;
    this.killedAt = performance.now();
    this.sendSnapshot(run, true);
    if (this.badInputs.length < 256) this.badInputs.push(input);
    send({
      type: 'finding',
      kind: 'timeout',
      input,
      latencyMs: elapsed,
      confirmMs: [],
      message: `call did not return within the ${this.config.scenario.timeoutMs} ms timeout; worker terminated`,
      stack: null,
      signature: `timeout:${Buffer.from(input).toString('base64')}`,
      counted: true,
    });
    this.terminateThen(run, () => this.restart(`timeout after ${Math.round(elapsed)} ms`));
  }

  /**
   * A stop arrived while a call over the per-call budget is still running: it is counted
   * at its elapsed time (a censored sample: it took at least that long) and reported as a
   * slow finding for the minimiser to confirm, instead of holding the stop up to the timeout.
   */
  private cutAtPhaseEnd(run: WorkerRun, input: Uint8Array, elapsed: number): void {
    run.settled = true;
    recordCensored(run, elapsed);
    // A call cut at the end of the phase stalled the loop for as long as it ran.
    this.stalledMs += elapsed;
    this.sendSnapshot(run, true);
    send({
      type: 'finding',
      kind: 'slow',
      input,
      latencyMs: elapsed,
      confirmMs: [],
      message: `call still running after ${elapsed.toFixed(1)} ms when the run was stopped (per-call budget ${this.config.scenario.slo.perCallMs} ms); worker terminated`,
      stack: null,
      signature: `slow:${Buffer.from(input).toString('base64')}`,
      counted: true,
    });
    this.terminateThen(run, () => {
      send({ type: 'done', reason: this.stopped ? 'stopped' : 'budget' });
      this.finish();
    });
  }

  /** terminate() interrupts JavaScript; a target stuck in native code is not interruptible: exit. */
  private terminateThen(run: WorkerRun, then: () => void): void {
    clearTimeout(run.loadTimer);
    const grace = setTimeout(() => {
      send({ type: 'fatal', message: 'target could not be interrupted (native code?); isolate host exits', stack: null });
      process.exit(70);
    }, TERMINATE_GRACE_MS);
    void run.worker.terminate().then(() => {
      clearTimeout(grace);
      then();
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
    setTimeout(() => {
      endTargetChildren();
      process.exit(0);
    }, 20);
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
process.on('disconnect', () => {
  endTargetChildren();
  process.exit(0);
});
process.on('SIGINT', () => host?.stop());
process.on('SIGTERM', () => host?.stop());
setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();

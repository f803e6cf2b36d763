/**
 * The probe host: a child process of the harness holding k warm worker threads that have
 * loaded the scenario's target (no coverage, no fuzz loop). `measure` runs an input once
 * in each worker, one worker at a time (the machine is small: parallel calls would slow
 * each other), and answers with k first-call latencies. A call that outlives the
 * scenario's timeout is killed (worker.terminate interrupts running JavaScript), counted
 * as >= the timeout, and the worker is replaced; a crash or exit is reported, not fatal.
 * Values from a fast-check arbitrary are shrunk here, where the arbitrary lives.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Arbitrary } from 'fast-check';
import { bytesKey } from '../../search/oracle.ts';
import { shrinkWithArbitrary } from '../../search/shrink.ts';
import { createFirstCallOracle } from './probe-oracle.ts';
import type { ArbitraryShrinkReply, ArbitraryShrinkRequest, ProbeCall, ProbeCommand, ProbeConfig, ProbeEvent, ProbeWorkerEvent } from './probe-protocol.ts';
import type { ProbeWorkerData } from './probe-worker.ts';
import { RSS_ALLOWANCE_MB } from './protocol.ts';
import { describeThrown, endTargetChildren } from './hostile-values.ts';
import { InFlightWriter, loadTimeoutMessage, loadTimeoutMs } from './recovery-files.ts';

const WORKER_FILE = fileURLToPath(new URL('./probe-worker-boot.mjs', import.meta.url));
const HEARTBEAT_MS = 500;
const TERMINATE_GRACE_MS = 3000;
/** First-call answers remembered (an input is never sent to a worker twice). */
const MEMO_LIMIT = 20_000;
/** How often a call in flight has its memory checked, ms. */
const MEMORY_CHECK_MS = 20;
/** The worker's warm-up takes ~800 ms at most (probe-worker.ts) unless a call hangs. */
const WARMUP_LIMIT_MS = 2000;

/** A worker that did not finish loading the scenario module in time (a configuration error). */
class LoadTimeoutError extends Error {
  override name = 'LoadTimeoutError';
}

function send(event: ProbeEvent): void {
  if (process.connected) process.send?.(event);
}

function memoryLimitOf(config: ProbeConfig): number {
  const { scenario } = config;
  return 'memoryLimitMb' in scenario && typeof scenario.memoryLimitMb === 'number' ? scenario.memoryLimitMb : 512;
}

interface Pending {
  id: number;
  resolve: (call: ProbeCall) => void;
  startedAt: number;
  timer: NodeJS.Timeout;
  /** RSS growth check while the call runs (Buffers are outside V8's heap limit). */
  memory: NodeJS.Timeout;
}

/** A worker loading the scenario (and warming up) until it says 'ready'. */
interface Loading {
  worker: Worker;
  /** Set once the worker said 'ready': a later death is a finding of a call, not a failed load. */
  loaded: boolean;
  resolve: (value: void | Promise<void>) => void;
  reject: (error: Error) => void;
  loadTimer: NodeJS.Timeout;
  /** RSS growth check while loading; set right after the loading starts. */
  loadMemory: NodeJS.Timeout | undefined;
}

function loadOver(loading: Loading): void {
  clearTimeout(loading.loadTimer);
  clearInterval(loading.loadMemory);
}

/** One warm worker; replaced by a fresh one after a timeout, crash or exit. */
class WorkerSlot {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  private pending: Pending | null = null;
  private nextId = 0;
  /** Dropped after a worker died while warming up: a corpus seed that kills must not stop the probe. */
  private warmup: Uint8Array[];

  constructor(private readonly config: ProbeConfig) {
    this.warmup = config.warmup;
  }

  spawn(): Promise<void> {
    const data: ProbeWorkerData = { scenario: this.config.scenario, seed: this.config.seed, warmup: this.warmup };
    const worker = new Worker(WORKER_FILE, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitOf(this.config) },
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => this.watchLoading(worker, resolve, reject));
    return this.ready;
  }

  /** Settles a new worker's loading: ready, retried cold (a warm-up input was to blame), or failed. */
  private watchLoading(worker: Worker, resolve: Loading['resolve'], reject: Loading['reject']): void {
    const loading: Loading = { worker, loaded: false, resolve, reject, loadTimer: setTimeout(() => this.onLoadTimeout(loading), loadTimeoutMs(this.config.scenario)), loadMemory: undefined };
    // A warm-up input that bombs memory outside the heap: caught here too, then retried cold.
    const rssAtSpawn = process.memoryUsage.rss();
    loading.loadMemory = setInterval(() => this.checkLoadMemory(loading, rssAtSpawn), MEMORY_CHECK_MS);
    worker.on('message', (event: ProbeWorkerEvent) => this.onLoadingMessage(loading, event));
    worker.on('error', (error: unknown) => {
      loadOver(loading);
      // Any value can arrive here (`throw null` in a timer): described without running its code.
      const described = describeThrown(error);
      if (this.retryCold(loading)) return;
      reject(new Error(described.message));
      const kind = described.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'oom' : 'crash';
      this.die(worker, { kind, ms: this.elapsed(), message: described.message, stack: described.stack });
    });
    worker.on('exit', (code) => {
      loadOver(loading);
      if (this.retryCold(loading)) return;
      reject(new Error(`the probe worker exited with code ${code} while loading`));
      this.die(worker, { kind: 'exit', ms: this.elapsed(), message: `target called process.exit(${code}) or the worker exited`, stack: null });
    });
  }

  /**
   * A worker that died or hung before it was ready while warm-up inputs were set: drops them
   * and starts a replacement cold, which settles this loading. False when that does not apply.
   */
  private retryCold(loading: Loading, terminate = false): boolean {
    if (loading.loaded || this.warmup.length === 0 || this.worker !== loading.worker) return false;
    this.warmup = [];
    this.worker = null;
    if (terminate) void loading.worker.terminate();
    loading.resolve(this.spawn());
    return true;
  }

  private onLoadTimeout(loading: Loading): void {
    // A warm-up input (a corpus seed) that hangs is not the module's fault: retry cold first.
    if (this.retryCold(loading, true)) return;
    loading.reject(new LoadTimeoutError(loadTimeoutMessage(this.config.scenario.file, loadTimeoutMs(this.config.scenario))));
    if (this.worker === loading.worker) this.worker = null;
    void loading.worker.terminate();
  }

  private checkLoadMemory(loading: Loading, rssAtSpawn: number): void {
    const grownMb = (process.memoryUsage.rss() - rssAtSpawn) / 1048576;
    if (grownMb <= memoryLimitOf(this.config) + RSS_ALLOWANCE_MB) return;
    clearInterval(loading.loadMemory);
    if (this.warmup.length > 0) {
      this.onLoadTimeout(loading);
      return;
    }
    loading.reject(new Error(`the probe worker grew the process by ${Math.round(grownMb)} MiB (RSS) while loading the scenario, over memoryLimitMb ${memoryLimitOf(this.config)} + ${RSS_ALLOWANCE_MB} MiB`));
    if (this.worker === loading.worker) this.worker = null;
    void loading.worker.terminate();
  }

  private onLoadingMessage(loading: Loading, event: ProbeWorkerEvent): void {
    if (event === null || typeof event !== 'object') return;
    if (event.type !== 'result') clearTimeout(loading.loadTimer);
    // Warm-up: at most WARMUP_MS of calls, but one call can hang; past that, retry cold.
    if (event.type === 'loaded' && this.warmup.length > 0) loading.loadTimer = setTimeout(() => this.onLoadTimeout(loading), WARMUP_LIMIT_MS + this.config.scenario.timeoutMs);
    if (event.type === 'ready') {
      loading.loaded = true;
      loadOver(loading);
      loading.resolve();
    } else if (event.type === 'fatal') loading.reject(new Error(`the probe worker failed to load the scenario: ${event.message}`));
    else if (event.type === 'result') this.settle(loading.worker, { kind: event.threw ? 'threw' : 'ok', ms: event.ms, wallMs: event.wallMs, queuedMs: event.queuedMs, message: event.message, stack: event.stack });
  }

  private elapsed(): number {
    return this.pending ? performance.now() - this.pending.startedAt : 0;
  }

  private settle(worker: Worker, call: ProbeCall): void {
    if (worker !== this.worker || !this.pending) return;
    const { resolve, timer, memory } = this.pending;
    clearTimeout(timer);
    clearInterval(memory);
    this.pending = null;
    resolve(call);
  }

  /** The worker died (or was killed): answer the call in flight and start a replacement. */
  private die(worker: Worker, call: ProbeCall): void {
    if (worker !== this.worker) return;
    this.settle(worker, call);
    this.worker = null;
    this.spawn().catch(() => undefined);
  }

  async call(input: Uint8Array, timeoutMs: number): Promise<ProbeCall> {
    await this.ready;
    const worker = this.worker;
    if (!worker) throw new Error('probe worker is not running');
    return new Promise<ProbeCall>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => this.kill(worker, timeoutMs), timeoutMs);
      const memory = setInterval(() => this.checkMemory(worker, rssBefore), MEMORY_CHECK_MS);
      const rssBefore = process.memoryUsage.rss();
      this.pending = { id, resolve, startedAt: performance.now(), timer, memory };
      worker.postMessage({ type: 'call', id, input });
    });
  }

  /** The call grew the process by more than memoryLimitMb + the allowance: killed as out of memory. */
  private checkMemory(worker: Worker, rssBefore: number): void {
    const limitMb = memoryLimitOf(this.config) + RSS_ALLOWANCE_MB;
    const grownMb = (process.memoryUsage.rss() - rssBefore) / 1048576;
    if (grownMb <= limitMb || worker !== this.worker) return;
    const message = `the call grew the process by ${Math.round(grownMb)} MiB (RSS), over memoryLimitMb ${memoryLimitOf(this.config)} + ${RSS_ALLOWANCE_MB} MiB; worker terminated`;
    this.die(worker, { kind: 'oom', ms: this.elapsed(), message, stack: null });
    void worker.terminate();
  }

  private kill(worker: Worker, timeoutMs: number): void {
    const ms = Math.max(timeoutMs, this.elapsed());
    const grace = setTimeout(() => {
      send({ type: 'fatal', message: 'target could not be interrupted (native code?); probe host exits', stack: null });
      process.exit(70);
    }, TERMINATE_GRACE_MS);
    this.die(worker, { kind: 'timeout', ms, message: `call did not return within the ${timeoutMs} ms timeout; worker terminated`, stack: null });
    void worker.terminate().finally(() => clearTimeout(grace));
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

class ProbeHost {
  private readonly slots: WorkerSlot[];
  /** Per input, the first call in each worker (undefined until that worker was asked). */
  private readonly memo = new Map<string, Array<ProbeCall | undefined>>();
  private arbitrary: Arbitrary<unknown> | null = null;
  /** Each input is written here before its call: if the target kills this process, the parent knows which (recovery-files.ts). */
  private readonly lastInput: InFlightWriter | null;

  constructor(private readonly config: ProbeConfig) {
    this.slots = Array.from({ length: Math.max(1, config.workers) }, () => new WorkerSlot(config));
    this.lastInput = config.lastInputFile ? new InFlightWriter(config.lastInputFile, Math.max(1, config.scenario.input.maxLength), true) : null;
  }

  async start(): Promise<void> {
    // One at a time: loading a target in k threads at once only competes for two cores.
    for (const slot of this.slots) await slot.spawn();
  }

  /** First calls of `input` in the given workers (default all), in turn; remembered, so a worker never sees an input twice. */
  async measure(input: Uint8Array, slots: readonly number[] = this.slots.map((_, i) => i)): Promise<{ calls: ProbeCall[]; memoised: boolean }> {
    const key = bytesKey(input);
    let row = this.memo.get(key);
    if (!row) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.delete(this.memo.keys().next().value as string);
      row = new Array<ProbeCall | undefined>(this.slots.length);
      this.memo.set(key, row);
    }
    let fresh = false;
    const calls: ProbeCall[] = [];
    for (const i of slots) {
      const slot = this.slots[i];
      if (!slot) throw new Error(`no probe worker ${i} (there are ${this.slots.length})`);
      let call = row[i];
      if (!call) {
        this.lastInput?.record(input);
        call = await slot.call(input, this.config.scenario.timeoutMs);
        row[i] = call;
        fresh = true;
      }
      calls.push(call);
    }
    return { calls, memoised: !fresh };
  }

  private async loadArbitrary(): Promise<Arbitrary<unknown>> {
    if (this.arbitrary) return this.arbitrary;
    const { scenario } = this.config;
    const mod = (await import(pathToFileURL(scenario.file).href)) as { default?: unknown };
    const entry = (Array.isArray(mod.default) ? mod.default[scenario.index] : mod.default) as { input?: { arbitrary?: Arbitrary<unknown> } };
    const arbitrary = entry.input?.arbitrary;
    if (!arbitrary) throw new Error(`scenario ${scenario.name} has no input.arbitrary to shrink with`);
    this.arbitrary = arbitrary;
    return arbitrary;
  }

  async shrinkArbitrary(request: ArbitraryShrinkRequest): Promise<ArbitraryShrinkReply> {
    const arbitrary = await this.loadArbitrary();
    const serialise = (value: unknown): Uint8Array => new Uint8Array(v8.serialize(value));
    const oracle = createFirstCallOracle<unknown>(async (value, slot) => (await this.measure(serialise(value), [slot])).calls[0]?.ms ?? Number.NaN, {
      budgetMs: request.budgetMs,
      margin: request.margin,
      repeats: this.slots.length,
      key: (value) => bytesKey(serialise(value)),
    });
    const deadline = performance.now() + request.maxMs;
    const result = await shrinkWithArbitrary(v8.deserialize(request.input), arbitrary, oracle, {
      maxOracleCalls: request.maxOracleCalls,
      shouldStop: () => performance.now() > deadline,
      sizeOf: (value) => serialise(value).length,
    });
    return {
      input: serialise(result.value),
      originalSize: result.originalSize,
      size: result.size,
      oracleCalls: result.oracleCalls,
      measurements: oracle.stats.measurements,
      improvements: result.improvements,
      initialViolates: result.initialViolates,
      stoppedEarly: result.stoppedEarly,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}

let host: ProbeHost | null = null;
let queue: Promise<void> = Promise.resolve();

/** Commands run one after another: measurements must not overlap. */
function enqueue(work: () => Promise<void>): void {
  queue = queue.then(work, work);
}

async function handle(command: ProbeCommand): Promise<void> {
  if (command.type === 'start') {
    host = new ProbeHost(command.config);
    try {
      await host.start();
      send({ type: 'ready', workers: command.config.workers });
    } catch (error) {
      const described = describeThrown(error);
      const loadTimeout = error instanceof LoadTimeoutError;
      send({ type: 'fatal', message: loadTimeout ? (error as Error).message : described.message, stack: described.stack, ...(loadTimeout ? { cause: 'load-timeout' as const } : {}) });
    }
    return;
  }
  if (command.type === 'stop') {
    await host?.close();
    setTimeout(() => {
      endTargetChildren();
      process.exit(0);
    }, 20);
    return;
  }
  if (!host) {
    send({ type: 'failed', id: command.id, message: 'probe not started' });
    return;
  }
  try {
    if (command.type === 'measure') {
      const { calls, memoised } = await host.measure(command.input, command.slot === undefined ? undefined : [command.slot]);
      send({ type: 'measured', id: command.id, calls, memoised });
    } else {
      send({ type: 'shrunk', id: command.id, reply: await host.shrinkArbitrary(command.request) });
    }
  } catch (error) {
    send({ type: 'failed', id: command.id, message: describeThrown(error).message });
  }
}

process.on('message', (command: ProbeCommand) => enqueue(() => handle(command)));
// The harness went away (killed, crashed): never outlive it.
process.on('disconnect', () => {
  endTargetChildren();
  process.exit(0);
});
process.on('SIGINT', () => process.exit(0));
// The group SIGTERM of endTargetChildren reaches this process too: it is exiting already.
process.on('SIGTERM', () => process.exit(0));
setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS).unref();

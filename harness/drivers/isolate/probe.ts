/**
 * Parent side of the probe isolate (see probe-host.ts): first-call latency measurements
 * for confirming, shrinking, growth-fitting and regression-replaying violations. The host
 * is a tracked child process (children.ts): it dies with the harness, and a silent host
 * is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { trackChild } from '../../core/process-registry.ts';
import { medianLow } from '../../core/stats.ts';
import { rmSync } from 'node:fs';
import { UsageError } from '../../scenario/load.ts';
import { createRecoveryFiles, readInFlight } from './recovery-files.ts';
import { tsxLoader } from './tsx-loader.ts';
import { type ArbitraryShrinkReply, type ArbitraryShrinkRequest, type ProbeCall, type ProbeCommand, type ProbeConfig, type ProbeEvent, type ProbeMeasurement } from './probe-protocol.ts';

export type { ProbeCall, ProbeMeasurement, ArbitraryShrinkReply, ArbitraryShrinkRequest } from './probe-protocol.ts';

const HOST_FILE = fileURLToPath(new URL('./probe-host.ts', import.meta.url));
const SILENCE_LIMIT_MS = 15_000;
const START_LIMIT_MS = 60_000;
const OUTPUT_TAIL_BYTES = 4096;

export interface ProbeOptions {
  /** Warm worker threads, i.e. first calls per measurement (default 3). */
  workers?: number;
  /** Inputs each worker calls once after loading the target (JIT and lazy-import warm-up). */
  warmup?: Uint8Array[];
  seed?: number;
}

/** What the minimiser and regression replay need from a probe (a fake one in tests). */
export interface FirstCallProbe {
  readonly workers: number;
  measure(input: Uint8Array): Promise<ProbeMeasurement>;
  /** The first call of `input` in worker `slot` only (0 <= slot < workers). */
  measureOne(input: Uint8Array, slot: number): Promise<ProbeCall>;
  /** Shrinks a structured (arbitrary) input in the host, where the scenario's arbitrary lives. */
  shrinkArbitrary(request: ArbitraryShrinkRequest): Promise<ArbitraryShrinkReply>;
  close(): Promise<void>;
}

type Waiter = { resolve: (event: ProbeEvent) => void; reject: (error: Error) => void; command: ProbeCommand };

/** A host killed by a call (process.kill(process.pid), abort) is replaced this many times at most. */
const MAX_HOST_RESTARTS = 20;

class ProbeClient implements FirstCallProbe {
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private exitedWith: string | null = null;
  private closing = false;
  private everReady = false;
  private restarts = 0;
  private tail = '';
  private child!: ChildProcess;
  private exitedResolve: () => void = () => undefined;
  readonly exited: Promise<void>;
  ready: Promise<void>;

  constructor(
    private readonly spawnHost: () => ChildProcess,
    private config: ProbeConfig,
    private readonly lastInput: { dir: string; file: string },
    readonly workers: number,
  ) {
    this.exited = new Promise<void>((resolve) => (this.exitedResolve = resolve));
    this.ready = this.attach();
  }

  /** Starts a host, wires it up and sends it the start command; resolves once its workers are ready. */
  private attach(): Promise<void> {
    const child = this.spawnHost();
    this.child = child;
    const untrack = trackChild(child);
    const keepTail = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);
    let lastHeard = Date.now();
    const silence = setInterval(() => {
      if (Date.now() - lastHeard > SILENCE_LIMIT_MS) child.kill('SIGKILL');
    }, 1000);
    silence.unref();
    let readyResolve: (value?: Promise<void>) => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    const startTimer = setTimeout(() => readyReject(new Error('the probe did not start in time')), START_LIMIT_MS);
    startTimer.unref();
    child.on('message', (event: ProbeEvent) => {
      lastHeard = Date.now();
      if (event.type === 'ready') {
        this.everReady = true;
        readyResolve();
      } else if (event.type === 'fatal') {
        // A module that never finishes loading is the scenario's problem: a usage error (exit 2).
        readyReject(event.cause === 'load-timeout' ? new UsageError(event.message) : new Error(event.message));
        this.failAll(`probe failed: ${event.message}`);
      } else if (event.type !== 'heartbeat') {
        const waiter = this.waiters.get(event.id);
        this.waiters.delete(event.id);
        waiter?.resolve(event);
      }
    });
    child.on('exit', (code, signal) => {
      clearInterval(silence);
      clearTimeout(startTimer);
      untrack();
      const why = `the probe host exited with ${signal ?? `code ${code}`}${this.tail ? `; last output: ${this.tail.slice(-500)}` : ''}`;
      if (!this.everReady && !this.closing && this.config.warmup.length > 0) {
        // A corpus seed killed the host while warming up: start again without warm-up inputs.
        this.config = { ...this.config, warmup: [] };
        readyResolve(this.attach());
        return;
      }
      readyReject(new Error(why));
      this.onHostExit(signal ?? `code ${code}`, why);
    });
    // A rejected start is reported by whoever awaits `ready`; never as an unhandled rejection.
    ready.catch(() => undefined);
    child.send({ type: 'start', config: this.config } satisfies ProbeCommand);
    return ready;
  }

  /**
   * The host died. While requests were waiting, a call killed it (the target killed its own
   * process, or crashed natively): that call is answered as a crash, a new host takes the
   * rest. Otherwise (closing, never started, too many deaths) every waiter fails.
   */
  private onHostExit(how: string, why: string): void {
    const restart = !this.closing && this.everReady && this.waiters.size > 0 && this.restarts < MAX_HOST_RESTARTS;
    if (!restart) {
      this.exitedWith = why;
      this.failAll(why);
      rmSync(this.lastInput.dir, { recursive: true, force: true });
      this.exitedResolve();
      return;
    }
    this.restarts++;
    this.answerKilledCall(`the target killed the probe's process (${how})`);
    this.tail = '';
    this.ready = this.attach();
    // The new host queues these after its start, in the original order.
    for (const [, waiter] of this.waiters) this.child.send(waiter.command);
  }

  /** The request whose input was in flight (the host wrote it before the call), else the oldest. */
  private answerKilledCall(message: string): void {
    const input = readInFlight(this.lastInput.file);
    const ids = [...this.waiters.keys()].sort((a, b) => a - b);
    const match = input && ids.find((id) => {
      const command = this.waiters.get(id)?.command;
      return command?.type === 'measure' && Buffer.from(command.input).equals(Buffer.from(input));
    });
    const id = match ?? ids[0];
    const waiter = id === undefined ? undefined : this.waiters.get(id);
    if (id === undefined || !waiter) return;
    this.waiters.delete(id);
    if (waiter.command.type !== 'measure') {
      waiter.reject(new Error(message));
      return;
    }
    const call: ProbeCall = { kind: 'crash', ms: 0, message, stack: null };
    const count = waiter.command.slot === undefined ? this.workers : 1;
    waiter.resolve({ type: 'measured', id, calls: Array.from({ length: count }, () => ({ ...call })), memoised: false });
  }

  private failAll(message: string): void {
    for (const waiter of this.waiters.values()) waiter.reject(new Error(message));
    this.waiters.clear();
  }

  private request(build: (id: number) => ProbeCommand): Promise<ProbeEvent> {
    if (this.exitedWith) return Promise.reject(new Error(this.exitedWith));
    const id = this.nextId++;
    return new Promise<ProbeEvent>((resolve, reject) => {
      const command = build(id);
      this.waiters.set(id, { resolve, reject, command });
      if (this.child.connected) this.child.send(command);
    });
  }

  async measure(input: Uint8Array): Promise<ProbeMeasurement> {
    const { calls, memoised } = await this.measured(input, undefined);
    const latenciesMs = calls.map((c) => c.ms);
    return { calls, latenciesMs, medianMs: medianLow(latenciesMs), memoised };
  }

  async measureOne(input: Uint8Array, slot: number): Promise<ProbeCall> {
    const [call] = (await this.measured(input, slot)).calls;
    if (!call) throw new Error('the probe returned no call');
    return call;
  }

  private async measured(input: Uint8Array, slot: number | undefined): Promise<{ calls: ProbeCall[]; memoised: boolean }> {
    const event = await this.request((id) => ({ type: 'measure', id, input, ...(slot === undefined ? {} : { slot }) }));
    if (event.type === 'failed') throw new Error(event.message);
    if (event.type !== 'measured') throw new Error(`unexpected probe answer ${event.type}`);
    return event;
  }

  async shrinkArbitrary(request: ArbitraryShrinkRequest): Promise<ArbitraryShrinkReply> {
    const event = await this.request((id) => ({ type: 'shrink-arbitrary', id, request }));
    if (event.type === 'failed') throw new Error(event.message);
    if (event.type !== 'shrunk') throw new Error(`unexpected probe answer ${event.type}`);
    return event.reply;
  }

  killHost(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.exitedWith) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ProbeCommand);
    const timer = setTimeout(() => this.killHost(), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts a probe for `scenario` and waits until its k workers have loaded the target. */
export async function startProbe(scenario: ResolvedScenario, opts: ProbeOptions = {}): Promise<FirstCallProbe> {
  const workers = Math.max(1, opts.workers ?? 3);
  const files = createRecoveryFiles();
  const config: ProbeConfig = { scenario, workers, warmup: opts.warmup ?? [], seed: opts.seed ?? 0, lastInputFile: files.inFlightFile };
  const spawnHost = (): ChildProcess => fork(HOST_FILE, [], {
    execArgv: ['--import', tsxLoader()],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
    detached: true, // own process group: the registry kills the target's own children with it
  });
  const client = new ProbeClient(spawnHost, config, { dir: files.dir, file: files.inFlightFile }, workers);
  try {
    await client.ready;
  } catch (error) {
    await client.close().catch(() => undefined);
    client.killHost();
    throw error;
  }
  return client;
}

/**
 * Parent side of the probe isolate (see probe-host.ts): first-call latency measurements
 * for confirming, shrinking, growth-fitting and regression-replaying violations. The host
 * is a tracked child process (children.ts): it dies with the harness, and a silent host
 * is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolvedScenario } from '../scenario/types.ts';
import { trackChild } from './children.ts';
import { medianOf, type ArbitraryShrinkReply, type ArbitraryShrinkRequest, type ProbeCall, type ProbeCommand, type ProbeEvent, type ProbeMeasurement } from './probe-protocol.ts';

export type { ProbeCall, ProbeMeasurement, ArbitraryShrinkReply, ArbitraryShrinkRequest } from './probe-protocol.ts';

const HOST_FILE = fileURLToPath(new URL('./probe-host.ts', import.meta.url));
const SILENCE_LIMIT_MS = 15_000;
const START_LIMIT_MS = 60_000;
const OUTPUT_TAIL_BYTES = 4096;

/**
 * The tsx loader as a file URL, so the host loads TypeScript wherever the harness is run
 * from. import.meta.resolve is missing under some module runners (vitest): fall back to
 * resolving the package folder and its "." export (dist/loader.mjs).
 */
function tsxLoader(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx');
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(path.join(path.dirname(pkg), 'dist/loader.mjs')).href;
}

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

type Waiter = { resolve: (event: ProbeEvent) => void; reject: (error: Error) => void };

class ProbeClient implements FirstCallProbe {
  private readonly waiters = new Map<number, Waiter>();
  private nextId = 1;
  private exitedWith: string | null = null;
  private tail = '';
  readonly exited: Promise<void>;
  readonly ready: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly workers: number,
  ) {
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
    let readyResolve: () => void = () => undefined;
    let readyReject: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    const startTimer = setTimeout(() => readyReject(new Error('the probe did not start in time')), START_LIMIT_MS);
    startTimer.unref();
    child.on('message', (event: ProbeEvent) => {
      lastHeard = Date.now();
      if (event.type === 'ready') readyResolve();
      else if (event.type === 'fatal') {
        readyReject(new Error(event.message));
        this.failAll(`probe failed: ${event.message}`);
      } else if (event.type !== 'heartbeat') {
        const waiter = this.waiters.get(event.id);
        this.waiters.delete(event.id);
        waiter?.resolve(event);
      }
    });
    this.exited = new Promise<void>((resolve) => {
      child.on('exit', (code, signal) => {
        clearInterval(silence);
        clearTimeout(startTimer);
        untrack();
        this.exitedWith = `the probe host exited with ${signal ?? `code ${code}`}${this.tail ? `; last output: ${this.tail.slice(-500)}` : ''}`;
        readyReject(new Error(this.exitedWith));
        this.failAll(this.exitedWith);
        resolve();
      });
    });
    // A rejected start is reported by whoever awaits `ready`; never as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private failAll(message: string): void {
    for (const waiter of this.waiters.values()) waiter.reject(new Error(message));
    this.waiters.clear();
  }

  private request(build: (id: number) => ProbeCommand): Promise<ProbeEvent> {
    if (this.exitedWith) return Promise.reject(new Error(this.exitedWith));
    const id = this.nextId++;
    return new Promise<ProbeEvent>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject });
      this.child.send(build(id));
    });
  }

  async measure(input: Uint8Array): Promise<ProbeMeasurement> {
    const { calls, memoised } = await this.measured(input, undefined);
    const latenciesMs = calls.map((c) => c.ms);
    return { calls, latenciesMs, medianMs: medianOf(latenciesMs), memoised };
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

  async close(): Promise<void> {
    if (this.exitedWith) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ProbeCommand);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts a probe for `scenario` and waits until its k workers have loaded the target. */
export async function startProbe(scenario: ResolvedScenario, opts: ProbeOptions = {}): Promise<FirstCallProbe> {
  const workers = Math.max(1, opts.workers ?? 3);
  const child = fork(HOST_FILE, [], {
    execArgv: ['--import', tsxLoader()],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const client = new ProbeClient(child, workers);
  child.send({ type: 'start', config: { scenario, workers, warmup: opts.warmup ?? [], seed: opts.seed ?? 0 } } satisfies ProbeCommand);
  try {
    await client.ready;
  } catch (error) {
    await client.close().catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw error;
  }
  return client;
}

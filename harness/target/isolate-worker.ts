/**
 * The measured loop. Runs on a worker thread inside the isolate host process: it imports
 * the scenario file again to reach the target, generates inputs, times every call around
 * the call itself, records into an HDR histogram and reports cumulative snapshots. Before
 * each call it publishes the input bytes and the start time in shared memory, so that the
 * host's watchdog can save the input of a call that never returns.
 */
import { createHash } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Arbitrary } from 'fast-check';
import {
  createArbitraryFeeder,
  createByteFeeder,
  avoidingKnownInputs,
  createMutationSource,
  decodeInput,
  encodingFor,
  type FedInput,
  type Feeder,
} from '../engine/feeders.ts';
import { recordSharedMs } from '../measure/shared-counts.ts';
import type { TargetContext } from '../scenario/types.ts';
import { CONTROL, type FindingMessage, type IsolateConfig, type IsolateEvent } from './protocol.ts';

export interface IsolateWorkerData {
  config: IsolateConfig;
  control: SharedArrayBuffer;
  times: SharedArrayBuffer;
  inputBuffer: SharedArrayBuffer;
  /** HDR-layout latency counts the host reads (see measure/shared-counts.ts). */
  counts: SharedArrayBuffer;
}

interface LoadedScenario {
  target: (input: unknown, ctx: TargetContext) => unknown;
  arbitrary: Arbitrary<unknown> | null;
  expectedError: ((error: unknown) => boolean) | null;
}

const MAX_DISTINCT_FINDINGS = 32;

const data = workerData as IsolateWorkerData;
const port = parentPort;
if (!port) throw new Error('isolate-worker must run on a worker thread');
const control = new Int32Array(data.control);
const times = new Float64Array(data.times);
const shared = new Uint8Array(data.inputBuffer);
const counts = new Float64Array(data.counts);
const post = (event: IsolateEvent): void => port.postMessage(event);

async function loadScenario(config: IsolateConfig): Promise<LoadedScenario> {
  const mod = (await import(pathToFileURL(config.scenario.file).href)) as { default?: unknown };
  const exported = mod.default;
  const entry = (Array.isArray(exported) ? exported[config.scenario.index] : exported) as Record<string, unknown>;
  const target = entry['target'];
  if (typeof target !== 'function') throw new Error(`scenario ${config.scenario.name}: target is not a function`);
  const input = entry['input'] as { arbitrary?: Arbitrary<unknown> } | undefined;
  const expected = entry['expectedError'];
  return {
    target: target as LoadedScenario['target'],
    arbitrary: input?.arbitrary ?? null,
    expectedError: typeof expected === 'function' ? (expected as (e: unknown) => boolean) : null,
  };
}

function threadId(): number {
  try {
    // "/proc/thread-self" -> "<pid>/task/<tid>": the kernel thread id, for tracers.
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return -1;
  }
}

function publishInput(bytes: Uint8Array): void {
  const n = Math.min(bytes.length, shared.length);
  shared.set(n === bytes.length ? bytes : bytes.subarray(0, n), 0);
  control[CONTROL.INPUT_LENGTH] = n;
}

function errorSignature(error: unknown): { message: string; stack: string | null; signature: string } {
  const err = error instanceof Error ? error : null;
  const message = err ? `${err.name}: ${err.message}` : `non-Error thrown: ${String(error)}`;
  const stack = err?.stack ?? null;
  // Same error type thrown from the same place is the same finding, whatever the input.
  const frame = stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
  const kind = err ? err.name : typeof error;
  return { message, stack, signature: `${kind}@${frame.trim()}` };
}

function hashBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex').slice(0, 16);
}

class FindingTracker {
  private readonly seen = new Set<string>();
  constructor(private readonly emit: (f: FindingMessage) => void) {}
  report(finding: Omit<FindingMessage, 'type'>): void {
    if (this.seen.has(finding.signature) || this.seen.size >= MAX_DISTINCT_FINDINGS) return;
    this.seen.add(finding.signature);
    this.emit({ type: 'finding', ...finding });
  }
}

interface CallOutcome {
  ms: number;
  error: unknown;
  threw: boolean;
}

function finishCall(t0: number, error: unknown, threw: boolean): CallOutcome {
  const ms = performance.now() - t0;
  Atomics.store(control, CONTROL.STATE, 0);
  return { ms, error, threw };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * One timed call. Synchronous targets return synchronously: awaiting every call would
 * add a promise and a microtask per call, more than many parser calls cost.
 */
function timedCall(scenario: LoadedScenario, input: FedInput, ctx: TargetContext): CallOutcome | Promise<CallOutcome> {
  publishInput(input.bytes);
  control[CONTROL.CALL_SEQ] = (control[CONTROL.CALL_SEQ] ?? 0) + 1;
  const t0 = performance.now();
  times[CONTROL.CALL_STARTED_AT] = performance.timeOrigin + t0;
  Atomics.store(control, CONTROL.STATE, 1);
  let result: unknown;
  try {
    result = scenario.target(input.value, ctx);
  } catch (e) {
    return finishCall(t0, e, true);
  }
  if (!isThenable(result)) return finishCall(t0, null, false);
  return Promise.resolve(result).then(
    () => finishCall(t0, null, false),
    (e: unknown) => finishCall(t0, e, true),
  );
}

function createFeeder(config: IsolateConfig, scenario: LoadedScenario): Feeder {
  const { input } = config.scenario;
  // Each restart gets its own stream, derived from the run seed, so a hang input is not replayed forever.
  const seed = (config.seed + config.generation * 0x9e3779b1) >>> 0;
  // Every generation replays the seeds; those that hung or crashed an earlier worker are skipped.
  const seeds = config.seeds;
  if (input.type === 'arbitrary') {
    if (!scenario.arbitrary) throw new Error('input.type is "arbitrary" but no arbitrary was found');
    return avoidingKnownInputs(createArbitraryFeeder(scenario.arbitrary, seed, seeds, input.maxLength), config.avoid);
  }
  const source = createMutationSource({ seed, maxLength: input.maxLength, dictionary: input.dictionary, seeds });
  return avoidingKnownInputs(createByteFeeder(source, input.type), config.avoid);
}

async function runFuzz(config: IsolateConfig, scenario: LoadedScenario, feeder: Feeder): Promise<void> {
  if (config.mode.kind !== 'fuzz') return;
  const findings = new FindingTracker(post);
  const perCallMs = config.scenario.slo.perCallMs;
  const maxCalls = config.mode.calls ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  const deadline = start + config.mode.durationMs;
  let nextYield = start + config.snapshotIntervalMs;
  let calls = 0;
  const ctx = { seed: config.seed, iteration: 0 };
  let reason: 'budget' | 'calls' | 'stopped' = 'budget';

  for (;;) {
    const input = feeder.next();
    ctx.iteration = calls;
    let outcome = timedCall(scenario, input, ctx);
    if (outcome instanceof Promise) outcome = await outcome;
    const { ms, error, threw } = outcome;
    calls++;
    recordSharedMs(counts, ms);
    feeder.feedback(input, { latencyNs: ms * 1e6, threw });
    if (threw && !(scenario.expectedError?.(error) ?? false)) {
      const sig = errorSignature(error);
      findings.report({ kind: 'error', input: input.bytes.slice(), latencyMs: ms, confirmMs: [], ...sig });
    }
    if (ms > perCallMs) await confirmSlow(scenario, input, ms, perCallMs, config.confirmRepeats, findings);
    const now = performance.now();
    if (now >= nextYield) {
      nextYield = now + config.snapshotIntervalMs;
      // Let queued messages and timers run now and then; the loop itself never awaits.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (Atomics.load(control, CONTROL.STOP) === 1) {
      reason = 'stopped';
      break;
    }
    if (now >= deadline) break;
    if (calls >= maxCalls) {
      reason = 'calls';
      break;
    }
  }
  post({ type: 'done', reason });
}

/**
 * A single slow call may be a GC pause or a noisy neighbour: re-run the input and call it
 * a finding only if the median of all runs is still over the per-call budget.
 */
async function confirmSlow(
  scenario: LoadedScenario,
  input: FedInput,
  firstMs: number,
  perCallMs: number,
  repeats: number,
  findings: FindingTracker,
): Promise<void> {
  const runs = [firstMs];
  const confirmMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { ms } = await timedCall(scenario, input, { seed: 0, iteration: -1 });
    runs.push(ms);
    confirmMs.push(ms);
  }
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)] ?? firstMs;
  if (median <= perCallMs) return;
  findings.report({
    kind: 'slow',
    input: input.bytes.slice(),
    latencyMs: firstMs,
    confirmMs,
    message: `median ${median.toFixed(3)} ms over ${runs.length} runs exceeds the per-call budget of ${perCallMs} ms`,
    stack: null,
    signature: `slow:${hashBytes(input.bytes)}`,
  });
}

async function runReplay(config: IsolateConfig, scenario: LoadedScenario): Promise<void> {
  if (config.mode.kind !== 'replay') return;
  const encoding = encodingFor(config.scenario.input.type);
  const input: FedInput = { bytes: config.mode.input, value: decodeInput(config.mode.input, encoding) };
  const latenciesMs: number[] = [];
  let threw: { message: string; stack: string | null } | null = null;
  for (let i = 0; i < config.mode.repeats; i++) {
    const result = await timedCall(scenario, input, { seed: config.seed, iteration: i });
    latenciesMs.push(result.ms);
    if (result.threw && !(scenario.expectedError?.(result.error) ?? false) && !threw) {
      const sig = errorSignature(result.error);
      threw = { message: sig.message, stack: sig.stack };
    }
  }
  post({ type: 'replay-result', latenciesMs, threw });
  post({ type: 'done', reason: 'replayed' });
}

async function main(): Promise<void> {
  const { config } = data;
  const scenario = await loadScenario(config);
  const feeder = config.mode.kind === 'fuzz' ? createFeeder(config, scenario) : null;
  post({ type: 'ready', engine: feeder?.engine ?? 'replay', seeds: config.seeds.length, pid: process.pid, tid: threadId() });
  if (feeder) await runFuzz(config, scenario, feeder);
  else await runReplay(config, scenario);
}

main().catch((error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  post({ type: 'fatal', message: err.message, stack: err.stack ?? null });
});

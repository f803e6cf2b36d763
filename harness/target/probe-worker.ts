/**
 * One warm probe worker: loads the scenario's target once (no coverage, no fuzz loop) and
 * times single calls on request. The host sends each distinct input to a worker at most
 * once, so every timing here is the input's first call in this worker.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeInput, encodingFor } from '../engine/feeders.ts';
import type { ResolvedScenario, TargetContext } from '../scenario/types.ts';
import type { ProbeWorkerCommand, ProbeWorkerEvent } from './probe-protocol.ts';

export interface ProbeWorkerData {
  scenario: ResolvedScenario;
  seed: number;
  warmup: Uint8Array[];
}

type Target = (input: unknown, ctx: TargetContext) => unknown;
type DependencyCalls = Record<string, { call?: (request: unknown) => unknown } | undefined>;

const data = workerData as ProbeWorkerData;
if (!parentPort) throw new Error('probe-worker must run on a worker thread');
const port = parentPort;
const post = (event: ProbeWorkerEvent): void => port.postMessage(event);
const encoding = encodingFor(data.scenario.input.type);

interface LoadedTarget {
  target: Target;
  expected: ((e: unknown) => boolean) | null;
  dependencies: DependencyCalls;
}

async function loadTarget(): Promise<LoadedTarget> {
  const mod = (await import(pathToFileURL(data.scenario.file).href)) as { default?: unknown };
  const exported = mod.default;
  const entry = (Array.isArray(exported) ? exported[data.scenario.index] : exported) as Record<string, unknown>;
  const target = entry['target'];
  if (typeof target !== 'function') throw new Error(`scenario ${data.scenario.name}: target is not a function`);
  const expected = entry['expectedError'];
  return {
    target: target as Target,
    expected: typeof expected === 'function' ? (expected as (e: unknown) => boolean) : null,
    dependencies: (entry['dependencies'] ?? {}) as DependencyCalls,
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/** Times one call; an expected error (the target rejecting malformed input) is a normal return. */
/**
 * The probe measures what the INPUT costs: dependencies answer at once, without the
 * injected chaos delay or faults, which would only add noise to the comparison.
 */
function contextFor(loaded: LoadedTarget, iteration: number): TargetContext {
  return {
    seed: data.seed,
    iteration,
    dependency: async <T>(name: string, request?: unknown): Promise<T> => (await loaded.dependencies[name]?.call?.(request)) as T,
  };
}

async function timed(loaded: LoadedTarget, bytes: Uint8Array, iteration: number): Promise<Omit<Extract<ProbeWorkerEvent, { type: 'result' }>, 'type' | 'id'>> {
  const { target, expected } = loaded;
  const value = decodeInput(bytes, encoding);
  const ctx = contextFor(loaded, iteration);
  const before = schedstat();
  const t0 = performance.now();
  let error: unknown = null;
  let threw = false;
  try {
    const result = target(value, ctx);
    if (isThenable(result)) await result;
  } catch (e) {
    error = e;
    threw = !(expected?.(e) ?? false);
  }
  const wallMs = performance.now() - t0;
  const after = schedstat();
  const queuedMs = before && after ? Math.max(0, (after.queuedNs - before.queuedNs) / 1e6) : 0;
  const cpuMs = before && after ? (after.cpuNs - before.cpuNs) / 1e6 : wallMs;
  // The schedstat reads sit just outside the timed window: never report less than the CPU used.
  const ms = Math.max(wallMs - queuedMs, Math.min(wallMs, cpuMs));
  if (!threw) return { ms, wallMs, queuedMs, threw: false, message: null, stack: null };
  const err = error instanceof Error ? error : null;
  return { ms, wallMs, queuedMs, threw: true, message: err ? `${err.name}: ${err.message}` : `non-Error thrown: ${String(error)}`, stack: err?.stack ?? null };
}

/** This thread's CPU time and run-queue wait (ns), or null where /proc/thread-self/schedstat is missing. */
function schedstat(): { cpuNs: number; queuedNs: number } | null {
  if (!schedstatWorks) return null;
  try {
    const [cpu, queued] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { cpuNs: Number(cpu), queuedNs: Number(queued) };
  } catch {
    schedstatWorks = false;
    return null;
  }
}
let schedstatWorks = true;

/** Warm-up time per worker at most (the calls stop early on slow seeds). */
const WARMUP_MS = 800;
const WARMUP_CALLS = 48;

/**
 * A cold worker's first calls run in V8's lower tiers and are several times slower than
 * later calls of the same cost: that would make the first inputs measured look slow. The
 * seeds and their prefixes (distinct inputs, so a memoising target computes every one)
 * are called until the target's code is optimised. Structured (v8) inputs cannot be cut.
 */
function warmupInputs(seeds: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const cuttable = encoding !== 'v8';
  const base = cuttable ? [...seeds, ...['', 'a', '0', '[]', '{}', 'a: 1'].map((t) => new Uint8Array(Buffer.from(t)))] : [...seeds];
  for (let round = 0; out.length < WARMUP_CALLS && round < 6; round++) {
    for (const seed of base) {
      if (round === 0) out.push(seed);
      else if (cuttable && seed.length >> round > 0) out.push(seed.subarray(0, seed.length - (seed.length >> round)));
    }
    if (base.length === 0) break;
  }
  return out.slice(0, WARMUP_CALLS);
}

async function main(): Promise<void> {
  const loaded = await loadTarget();
  let iteration = 0;
  const warmUntil = performance.now() + WARMUP_MS;
  for (const bytes of warmupInputs(data.warmup)) {
    if (performance.now() > warmUntil) break;
    try {
      await timed(loaded, bytes, iteration++);
    } catch {
      // An undecodable warm-up input warms nothing; it is not a reason to fail.
    }
  }
  port.on('message', (command: ProbeWorkerCommand) => {
    void timed(loaded, command.input, iteration++).then((r) => post({ type: 'result', id: command.id, ...r }));
  });
  post({ type: 'ready' });
}

main().catch((error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  post({ type: 'fatal', message: err.message, stack: err.stack ?? null });
});

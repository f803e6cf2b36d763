/**
 * One warm probe worker: loads the scenario's target once (no coverage, no fuzz loop) and
 * times single calls on request. The host sends each distinct input to a worker at most
 * once, so every timing here is the input's first call in this worker.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeInput, encodingFor } from '../../engine/feeders.ts';
import type { ResolvedScenario, TargetContext } from '../../scenario/types.ts';
import type { ProbeWorkerCommand, ProbeWorkerEvent } from './probe-protocol.ts';
import { describeThrown, safeThen } from './hostile-values.ts';

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

/** Waits for a returned thenable through its own `then`, guarded: a hostile one only rejects. */
async function settle(result: unknown): Promise<void> {
  const then = safeThen(result);
  if (!then) return;
  await new Promise<unknown>((resolve, reject) => {
    try {
      then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
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
    await settle(target(value, ctx));
  } catch (e) {
    error = e;
    threw = !isExpected(expected, e);
  }
  const wallMs = performance.now() - t0;
  const after = schedstat();
  const queuedMs = before && after ? Math.max(0, (after.queuedNs - before.queuedNs) / 1e6) : 0;
  const cpuMs = before && after ? (after.cpuNs - before.cpuNs) / 1e6 : wallMs;
  // The schedstat reads sit just outside the timed window: never report less than the CPU used.
  const ms = Math.max(wallMs - queuedMs, Math.min(wallMs, cpuMs));
  if (!threw) return { ms, wallMs, queuedMs, threw: false, message: null, stack: null };
  const described = describeThrown(error);
  return { ms, wallMs, queuedMs, threw: true, message: described.message, stack: described.stack };
}

/** The scenario's expectedError, which may itself choke on a hostile value: then the error is not expected. */
function isExpected(expected: ((e: unknown) => boolean) | null, error: unknown): boolean {
  try {
    return expected?.(error) === true;
  } catch {
    return false;
  }
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
  post({ type: 'loaded' });
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
    void timed(loaded, command.input, iteration++).then(
      (r) => post({ type: 'result', id: command.id, ...r }),
      // Only decoding can fail outside the guarded call: answer, never leave the host waiting.
      (error: unknown) => post({ type: 'result', id: command.id, ms: 0, wallMs: 0, queuedMs: 0, threw: true, ...describeForResult(error) }),
    );
  });
  post({ type: 'ready' });
}

function describeForResult(error: unknown): { message: string; stack: string | null } {
  const described = describeThrown(error);
  return { message: described.message, stack: described.stack };
}

main().catch((error: unknown) => post({ type: 'fatal', ...describeForResult(error) }));

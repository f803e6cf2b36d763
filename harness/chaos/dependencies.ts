/**
 * Dependency chaos for function targets: `ctx.dependency(name, request)` waits a seeded
 * Pareto delay, then fails with a DependencyError (probability `errorRate`), times out
 * with a DependencyTimeout (the delay exceeded `timeout`: the caller waited the timeout),
 * or returns the scenario's `call(request)`.
 *
 * Replay: every dependency draws from its own xoshiro stream seeded from the run seed and
 * the dependency's name, and every call draws exactly two uniforms (delay, error) whatever
 * the outcome, so call k of a dependency gets the same chaos in every run with the same
 * seed, and the same uniforms at every intensity step (common random numbers: a larger
 * scale gives proportionally larger delays for the same calls).
 *
 * The clock is injected (`sleep`), so the semantics are unit-tested without time.
 */
import { createRng, type Rng } from '../core/rng.ts';
import { namedStreamSeed } from '../core/seed.ts';
import type { ResolvedFunctionDependency } from '../scenario/chaos-types.ts';
import { createParetoSampler, type ParetoSampler } from './pareto.ts';

/** Waits about `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;

export type DependencyStub = (request: unknown) => unknown;

/** The dependency answered with an (injected) error. */
export class DependencyError extends Error {
  override name = 'DependencyError';
  constructor(
    readonly dependency: string,
    /** The injected delay waited before the error, ms. */
    readonly delayMs: number,
  ) {
    super(`dependency ${JSON.stringify(dependency)} failed (injected error after ${delayMs.toFixed(3)} ms)`);
  }
}

/** The dependency did not answer within its timeout. */
export class DependencyTimeout extends Error {
  override name = 'DependencyTimeout';
  constructor(
    readonly dependency: string,
    readonly timeoutMs: number,
    /** The delay the dependency would have taken, ms. */
    readonly delayMs: number,
  ) {
    super(`dependency ${JSON.stringify(dependency)} timed out after ${timeoutMs} ms (injected delay ${delayMs.toFixed(3)} ms)`);
  }
}

export type DependencyOutcome = 'ok' | 'error' | 'timeout';

/** What one dependency call will do: decided before any waiting, from two uniforms. */
export interface DependencyCallPlan {
  /** The sampled delay, ms (0 without a latency). */
  delayMs: number;
  /** How long the caller waits: the delay, or the timeout when the delay exceeds it. */
  waitMs: number;
  outcome: DependencyOutcome;
}

/** Pure: the plan of one call from the dependency's config and its two uniforms. */
export function planDependencyCall(dep: ResolvedFunctionDependency, sampler: ParetoSampler | null, errorDraw: number): DependencyCallPlan {
  const delayMs = sampler ? sampler.next() : 0;
  if (dep.timeoutMs !== null && delayMs > dep.timeoutMs) return { delayMs, waitMs: dep.timeoutMs, outcome: 'timeout' };
  return { delayMs, waitMs: delayMs, outcome: errorDraw < dep.errorRate ? 'error' : 'ok' };
}

/** Counts across the injector's life. */
export interface DependencyStats {
  calls: number;
  errors: number;
  timeouts: number;
}

export interface DependencyInjector {
  call<T = unknown>(name: string, request?: unknown): Promise<T>;
  /** Total injected wait (ms) of the calls started since the last take; resets to 0. */
  takeInjectedMs(): number;
  readonly stats: Readonly<DependencyStats>;
}

export interface DependencyInjectorOptions {
  seed: number;
  sleep: Sleep;
  stubs?: Readonly<Record<string, DependencyStub>>;
  /** Observes every call's plan (tests, tracing). */
  onPlan?: (name: string, plan: DependencyCallPlan) => void;
}

interface DependencyStream {
  dep: ResolvedFunctionDependency;
  sampler: ParetoSampler | null;
  /** Second stream for the error draw, so the delay sequence does not depend on errorRate. */
  errors: Rng;
}

function openStream(dep: ResolvedFunctionDependency, seed: number): DependencyStream {
  const rng = createRng(namedStreamSeed(seed, dep.name));
  const errors = rng.fork();
  const sampler = dep.latency
    ? createParetoSampler({ alpha: dep.latency.alpha, scale: dep.latency.scaleMs, ...(dep.latency.capMs !== null ? { cap: dep.latency.capMs } : {}) }, rng)
    : null;
  return { dep, sampler, errors };
}

export function createDependencyInjector(deps: readonly ResolvedFunctionDependency[], options: DependencyInjectorOptions): DependencyInjector {
  const streams = new Map(deps.map((dep) => [dep.name, openStream(dep, options.seed)]));
  const stats: DependencyStats = { calls: 0, errors: 0, timeouts: 0 };
  let injectedMs = 0;

  const call = async <T>(name: string, request?: unknown): Promise<T> => {
    const stream = streams.get(name);
    if (!stream) {
      const known = [...streams.keys()].map((n) => JSON.stringify(n)).join(', ') || 'none';
      throw new Error(`unknown dependency ${JSON.stringify(name)}: declare it in the scenario's dependencies (declared: ${known})`);
    }
    const plan = planDependencyCall(stream.dep, stream.sampler, stream.errors.next());
    options.onPlan?.(name, plan);
    stats.calls++;
    injectedMs += plan.waitMs;
    if (plan.waitMs > 0) await options.sleep(plan.waitMs);
    if (plan.outcome === 'timeout') {
      stats.timeouts++;
      throw new DependencyTimeout(name, stream.dep.timeoutMs ?? plan.waitMs, plan.delayMs);
    }
    if (plan.outcome === 'error') {
      stats.errors++;
      throw new DependencyError(name, plan.delayMs);
    }
    const stub = options.stubs?.[name];
    return (stub ? await stub(request) : undefined) as T;
  };

  return {
    call,
    takeInjectedMs(): number {
      const ms = injectedMs;
      injectedMs = 0;
      return ms;
    },
    stats,
  };
}

/** Below this the wait polls instead of arming a timer: timers have ~1 ms granularity. */
const POLL_BELOW_MS = 2;

/**
 * Waits `ms` with microsecond accuracy without blocking concurrent work: a timer for the
 * bulk of a long wait, then setImmediate polling of the clock for the last ~2 ms. Timers
 * alone would round sub-millisecond Pareto delays up to a whole millisecond and distort the
 * very tail the chaos is about; polling keeps other dependency calls of the same target
 * (Promise.all) progressing, which a blocking Atomics.wait would serialise. Costs CPU only
 * for the last ~2 ms of each wait.
 */
export function preciseSleep(ms: number, now: () => number = () => performance.now()): Promise<void> {
  const deadline = now() + ms;
  return new Promise<void>((resolve) => {
    const poll = (): void => {
      const left = deadline - now();
      if (left <= 0) resolve();
      else if (left > POLL_BELOW_MS) setTimeout(poll, Math.floor(left - POLL_BELOW_MS + 1));
      else setImmediate(poll);
    };
    poll();
  });
}

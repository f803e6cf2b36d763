/**
 * Dependency chaos inside the isolate, kept out of the measured loop's own files: the
 * target's context (`ctx.dependency`), the per-call injected-delay counts in a second
 * shared HDR counts block, and the dependency outcome counters the host snapshots.
 *
 *   host:   createChaosBuffers(config) -> workerData.chaos; readChaosSnapshot() per snapshot
 *   worker: createLoopChaos(config, buffers) -> LoopChaos (ctx + record after each call)
 */
import { pathToFileURL } from 'node:url';
import { generationSeed } from '../../core/seed.ts';
import { encodeHistogram } from '../../measure/histogram.ts';
import { createSharedCounts, recordSharedMs, toHistogram } from '../../measure/shared-counts.ts';
import type { ChaosSnapshotWire, ResolvedChaos } from '../../scenario/chaos-types.ts';
import type { TargetContext } from '../../scenario/types.ts';
import type { IsolateConfig } from './protocol.ts';
import { createDependencyInjector, preciseSleep, type DependencyInjector, type DependencyStub } from '../../chaos/dependencies.ts';

/** Slots of the dependency outcome counters (Float64Array). */
export const CHAOS_STATS = { DEPENDENCY_CALLS: 0, ERRORS: 1, TIMEOUTS: 2, FAILED_CALLS: 3, SLOTS: 4 } as const;

export interface ChaosBuffers {
  /** HDR-layout counts of the total injected delay per target call. */
  injected: SharedArrayBuffer;
  stats: SharedArrayBuffer;
}

/** The chaos in force for an isolate: the step's override, else the scenario's own. */
export function effectiveChaos(config: IsolateConfig): ResolvedChaos | null {
  if (config.chaos !== undefined) return config.chaos;
  const scenario = config.scenario as { chaos?: ResolvedChaos };
  return scenario.chaos ?? null;
}

/** Host side: buffers for a worker, or undefined when the isolate injects no dependency chaos. */
export function createChaosBuffers(config: IsolateConfig): ChaosBuffers | undefined {
  const chaos = effectiveChaos(config);
  if (!chaos || chaos.dependencies.length === 0) return undefined;
  return { injected: createSharedCounts(), stats: new SharedArrayBuffer(CHAOS_STATS.SLOTS * 8) };
}

/** Host side: the cumulative chaos snapshot of a worker (readable even while it hangs). */
export function readChaosSnapshot(buffers: ChaosBuffers | undefined): ChaosSnapshotWire | undefined {
  if (!buffers) return undefined;
  const h = toHistogram(new Float64Array(buffers.injected));
  const stats = new Float64Array(buffers.stats);
  const snapshot: ChaosSnapshotWire = {
    injected: encodeHistogram(h),
    dependencyCalls: stats[CHAOS_STATS.DEPENDENCY_CALLS] ?? 0,
    dependencyErrors: stats[CHAOS_STATS.ERRORS] ?? 0,
    dependencyTimeouts: stats[CHAOS_STATS.TIMEOUTS] ?? 0,
    failedCalls: stats[CHAOS_STATS.FAILED_CALLS] ?? 0,
  };
  h.destroy();
  return snapshot;
}

/** A mutable context the loop reuses for every call (no allocation per call). */
export interface LoopContext extends TargetContext {
  iteration: number;
}

const noDependencies = (name: string): Promise<never> =>
  Promise.reject(new Error(`unknown dependency ${JSON.stringify(name)}: the scenario declares no dependencies`));

/** A context whose dependency calls go through `injector` (or fail: none declared). */
export function createTargetContext(seed: number, injector: DependencyInjector | null): LoopContext {
  return {
    seed,
    iteration: 0,
    dependency: injector ? <T>(name: string, request?: unknown) => injector.call<T>(name, request) : noDependencies,
  };
}

export interface LoopChaos {
  readonly injector: DependencyInjector;
  /** After a measured call: records its injected delay and outcome, returns the delay (ms). */
  record(threw: boolean): number;
  /** After an unmeasured call (confirmation re-runs): forgets its injected delay. */
  discard(): number;
}

/** The scenario's `call` stubs, from the scenario module (already imported: cached). */
async function loadStubs(config: IsolateConfig): Promise<Record<string, DependencyStub>> {
  const mod = (await import(pathToFileURL(config.scenario.file).href)) as { default?: unknown };
  const exported = mod.default;
  const entry = (Array.isArray(exported) ? exported[config.scenario.index] : exported) as { dependencies?: Record<string, { call?: unknown }> } | undefined;
  const stubs: Record<string, DependencyStub> = {};
  for (const [name, dep] of Object.entries(entry?.dependencies ?? {})) {
    if (typeof dep.call === 'function') stubs[name] = dep.call as DependencyStub;
  }
  return stubs;
}

/**
 * Worker side. Null when the isolate has no dependency chaos. The stream seed follows the
 * feeder's per-generation seed, so chaos and inputs replay together after a restart.
 */
export async function createLoopChaos(config: IsolateConfig, buffers: ChaosBuffers | undefined): Promise<LoopChaos | null> {
  const chaos = effectiveChaos(config);
  if (!chaos || chaos.dependencies.length === 0) return null;
  const seed = generationSeed(config.seed, config.generation);
  const injector = createDependencyInjector(chaos.dependencies, { seed, sleep: (ms) => preciseSleep(ms), stubs: await loadStubs(config) });
  const injected = buffers ? new Float64Array(buffers.injected) : null;
  const stats = buffers ? new Float64Array(buffers.stats) : null;
  let seenCalls = 0;
  let seenErrors = 0;
  let seenTimeouts = 0;
  const publishStats = (): void => {
    if (!stats) return;
    stats[CHAOS_STATS.DEPENDENCY_CALLS] = injector.stats.calls - seenCalls + (stats[CHAOS_STATS.DEPENDENCY_CALLS] ?? 0);
    stats[CHAOS_STATS.ERRORS] = injector.stats.errors - seenErrors + (stats[CHAOS_STATS.ERRORS] ?? 0);
    stats[CHAOS_STATS.TIMEOUTS] = injector.stats.timeouts - seenTimeouts + (stats[CHAOS_STATS.TIMEOUTS] ?? 0);
    seenCalls = injector.stats.calls;
    seenErrors = injector.stats.errors;
    seenTimeouts = injector.stats.timeouts;
  };
  return {
    injector,
    record(threw: boolean): number {
      const ms = injector.takeInjectedMs();
      if (injected) recordSharedMs(injected, ms);
      if (stats && threw) stats[CHAOS_STATS.FAILED_CALLS] = (stats[CHAOS_STATS.FAILED_CALLS] ?? 0) + 1;
      publishStats();
      return ms;
    },
    discard(): number {
      // Confirmation re-runs are not measured calls: their dependency calls are not counted either.
      seenCalls = injector.stats.calls;
      seenErrors = injector.stats.errors;
      seenTimeouts = injector.stats.timeouts;
      return injector.takeInjectedMs();
    },
  };
}

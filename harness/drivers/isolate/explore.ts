/**
 * The exploration phase (see engine/phases.ts): the chosen engine searches with instrumentation
 * on, its findings are reported as they come (slow ones are re-confirmed later in
 * uninstrumented workers), and what it kept goes to the corpus and to the measured phase.
 * Its latencies never reach the SLO histogram.
 *
 *  - builtin: an isolate (worker + watchdog, like the measured phase) running the builtin
 *    engine with V8 block coverage over the scenario file and the packages it imports.
 *  - jazzer: Jazzer.js's CLI in a child process (jazzer/run-jazzer.ts).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Arbitrary } from 'fast-check';
import type { ExplorationSummary } from '../../core/results-schema.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { startIsolate } from './isolate.ts';
import type { FindingMessage, HostEvent } from './protocol.ts';
import { encodedFromChoices } from '../../engine/choice-sequence.ts';
import type { InterestingSink } from '../../engine/interesting.ts';
import { exploreWithJazzer } from './jazzer/run-jazzer.ts';
import type { PhaseBudget } from '../../engine/phases.ts';
import type { EngineUsed } from '../../engine/registry.ts';
import { importedPackages } from '../../engine/target-packages.ts';

export interface ExploreOptions {
  scenario: ResolvedScenario;
  seed: number;
  budget: PhaseBudget;
  engine: EngineUsed;
  /** Corpus seeds in the saved encoding. */
  seeds: Uint8Array[];
  sink: InterestingSink;
  signal?: AbortSignal;
  onFinding: (finding: FindingMessage) => void;
  /** Worker snapshots while exploring (progress display only). */
  onCalls?: (calls: number) => void;
}

export interface ExploreOutcome {
  summary: ExplorationSummary;
}

/** Packages whose code is the target: the scenario's `input.coverageInclude`, else bare imports of its file. */
export function scenarioPackages(scenario: ResolvedScenario): string[] {
  if (scenario.input.coverageInclude) return scenario.input.coverageInclude;
  try {
    return importedPackages(readFileSync(scenario.file, 'utf8'));
  } catch {
    return [];
  }
}

export async function explore(opts: ExploreOptions): Promise<ExploreOutcome> {
  const started = performance.now();
  const before = opts.sink.savedCount();
  const result = await EXPLORERS[opts.engine](opts);
  const durationMs = performance.now() - started;
  return {
    summary: {
      engine: result.engine,
      durationMs,
      calls: result.calls,
      callsPerSecond: result.calls / Math.max(durationMs / 1000, 1e-3),
      kept: result.kept,
      interestingSaved: opts.sink.savedCount() - before,
      note: result.note,
    },
  };
}

interface EngineOutcome {
  engine: string;
  calls: number;
  kept: number;
  note: string | null;
}

/** How one registered engine explores (engine/registry.ts): every engine has one, checked by the compiler. */
type Explorer = (opts: ExploreOptions) => Promise<EngineOutcome>;

const EXPLORERS: { readonly [N in EngineUsed]: Explorer } = {
  builtin: (opts) => exploreBuiltin(opts),
  jazzer: (opts) => exploreJazzer(opts),
};

async function exploreJazzer(opts: ExploreOptions): Promise<EngineOutcome> {
  const { scenario } = opts;
  const arbitrary = scenario.input.type === 'arbitrary' ? await loadArbitrary(scenario) : null;
  const result = await exploreWithJazzer({
    scenario,
    seed: opts.seed,
    durationMs: opts.budget.durationMs,
    seeds: opts.seeds,
    packages: scenarioPackages(scenario),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onFinding: opts.onFinding,
    toSavedEncoding: async (bytes) => (arbitrary ? encodedFromChoices(arbitrary, bytes) : bytes),
  });
  opts.onCalls?.(result.calls);
  // Raw inputs are saved as they are; choice sequences as the values they map to (the saved encoding).
  opts.sink.add(arbitrary ? result.corpus.map((choices) => encodedFromChoices(arbitrary, choices)) : result.corpus);
  return { engine: 'jazzer', calls: result.calls, kept: result.corpus.length, note: result.note };
}

async function loadArbitrary(scenario: ResolvedScenario): Promise<Arbitrary<unknown>> {
  const mod = (await import(pathToFileURL(scenario.file).href)) as { default?: unknown };
  const entry = (Array.isArray(mod.default) ? (mod.default as unknown[])[scenario.index] : mod.default) as { input?: { arbitrary?: Arbitrary<unknown> } };
  const arbitrary = entry.input?.arbitrary;
  if (!arbitrary) throw new Error(`scenario ${scenario.name}: input.type is "arbitrary" but no arbitrary was found`);
  return arbitrary;
}

async function exploreBuiltin(opts: ExploreOptions): Promise<EngineOutcome> {
  const callsByGeneration = new Map<number, number>();
  let generation = 0;
  let engine = 'builtin';
  let kept = 0;
  let note: string | null = null;
  const total = (): number => [...callsByGeneration.values()].reduce((a, b) => a + b, 0);
  const onEvent = (event: HostEvent): void => {
    switch (event.type) {
      case 'ready':
        engine = event.engine;
        break;
      case 'snapshot':
        callsByGeneration.set(generation, event.calls);
        opts.onCalls?.(total());
        break;
      case 'restart':
        generation = event.generation;
        break;
      case 'finding':
        opts.onFinding(event);
        break;
      case 'interesting':
        kept += event.inputs.length;
        opts.sink.add(event.inputs);
        break;
      case 'fatal':
        note = `exploration stopped: ${event.message}`;
        break;
      default:
        break;
    }
  };
  const isolate = startIsolate(
    {
      scenario: opts.scenario,
      seed: opts.seed,
      mode: { kind: 'fuzz', durationMs: opts.budget.durationMs, calls: opts.budget.calls },
      seeds: opts.seeds,
      confirmRepeats: 2,
      snapshotIntervalMs: 250,
      generation: 0,
      avoid: [],
      phase: 'explore',
    },
    { onEvent },
  );
  const onAbort = (): void => {
    isolate.stop();
    setTimeout(() => isolate.kill(), opts.scenario.timeoutMs + 3000).unref();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await isolate.exited;
  opts.signal?.removeEventListener('abort', onAbort);
  if (!note && exit.code !== 0 && !opts.signal?.aborted) note = `the exploration isolate exited with ${exit.signal ?? `code ${exit.code}`}`;
  // 'builtin' explores with coverage; the engine says "builtin-cost" when V8 coverage could not start.
  return { engine, calls: total(), kept, note };
}

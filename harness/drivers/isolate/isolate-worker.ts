/**
 * The measured loop. Runs on a worker thread inside the isolate host process: it imports
 * the scenario file again to reach the target, generates inputs, times every call around
 * the call itself, records into an HDR histogram and reports cumulative snapshots. Before
 * each call it publishes the input bytes and the start time in shared memory, so that the
 * host's watchdog can save the input of a call that never returns.
 */
import { readFileSync, readlinkSync } from 'node:fs';
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
} from '../../engine/feeders.ts';
import { generationSeed } from '../../core/seed.ts';
import { createBuiltinEngine } from '../../engine/builtin/engine.ts';
import { createChoiceFeeder } from '../../engine/choice-sequence.ts';
import { coverageFilterFor, importedPackages, targetSources } from '../../engine/target-packages.ts';
import type { TargetContext } from '../../scenario/types.ts';
import { createLoopChaos, createTargetContext, type ChaosBuffers } from './isolate-chaos.ts';
import { errorSignature, isExpectedError, runMeasuredLoop, timedCall, type LoopShared } from './measured-loop.ts';
import type { IsolateConfig, IsolateEvent } from './protocol.ts';
import { runReplayTrace } from './replay-trace.ts';
import { describeThrown } from './hostile-values.ts';
import { createInputRecorder, recordingFeeder } from './input-recorder.ts';
import { ringView, type RingView } from './recovery-files.ts';

export interface IsolateWorkerData {
  config: IsolateConfig;
  control: SharedArrayBuffer;
  times: SharedArrayBuffer;
  inputBuffer: SharedArrayBuffer;
  /** HDR-layout latency counts the host reads (see measure/shared-counts.ts). */
  counts: SharedArrayBuffer;
  /** Injected-delay counts and dependency counters (isolate-chaos.ts); absent without dependency chaos. */
  chaos?: ChaosBuffers;
  /** The last inputs, which the host flushes to a file every tick (recovery-files.ts). */
  ring?: SharedArrayBuffer;
}

interface LoadedScenario {
  target: (input: unknown, ctx: TargetContext) => unknown;
  arbitrary: Arbitrary<unknown> | null;
  expectedError: ((error: unknown) => boolean) | null;
}

const data = workerData as IsolateWorkerData;
const port = parentPort;
if (!port) throw new Error('isolate-worker must run on a worker thread');
const shared: LoopShared = {
  control: new Int32Array(data.control),
  times: new Float64Array(data.times),
  input: new Uint8Array(data.inputBuffer),
  counts: new Float64Array(data.counts),
};
const post = (event: IsolateEvent): void => port.postMessage(event);
const ring: RingView | null = data.ring ? ringView(data.ring, data.config.scenario.input.maxLength) : null;

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

function createFeeder(config: IsolateConfig, scenario: LoadedScenario): Feeder {
  const { input } = config.scenario;
  // Each restart gets its own stream, derived from the run seed, so a hang input is not replayed forever.
  const seed = generationSeed(config.seed, config.generation);
  // Every generation replays the seeds; those that hung or crashed an earlier worker are skipped.
  const seeds = config.seeds;
  if (config.phase) return avoidingKnownInputs(createPhaseFeeder(config, config.phase, scenario, seed), config.avoid);
  if (input.type === 'arbitrary') {
    if (!scenario.arbitrary) throw new Error('input.type is "arbitrary" but no arbitrary was found');
    return avoidingKnownInputs(createArbitraryFeeder(scenario.arbitrary, seed, seeds, input.maxLength), config.avoid);
  }
  const source = createMutationSource({ seed, maxLength: input.maxLength, dictionary: input.dictionary, seeds });
  return avoidingKnownInputs(createByteFeeder(source, input.type), config.avoid);
}

/**
 * Explore: the builtin engine with V8 block coverage over the target's code (the scenario
 * file and the packages it imports). Measure: the same engine on cost alone (no
 * instrumentation), so the histogram is honest. Arbitrary inputs: the engine's bytes are
 * fast-check choice sequences (choice-sequence.ts) while exploring; the measured phase
 * samples the arbitrary itself, after replaying everything exploration kept.
 */
function createPhaseFeeder(config: IsolateConfig, phase: 'explore' | 'measure', scenario: LoadedScenario, seed: number): Feeder {
  const { input, slo, file } = config.scenario;
  const packages = input.coverageInclude ?? importedPackages(safeRead(file));
  const explore = phase === 'explore';
  const arbitrary = input.type === 'arbitrary' ? scenario.arbitrary : null;
  if (input.type === 'arbitrary' && !arbitrary) throw new Error('input.type is "arbitrary" but no arbitrary was found');
  if (arbitrary && !explore) return createArbitraryFeeder(arbitrary, seed, config.seeds, input.maxLength);
  const engine = createBuiltinEngine({
    seed,
    // Choice sequences: 4 bytes per decision; a few KiB describe any value that fits maxLength.
    maxLength: arbitrary ? Math.min(input.maxLength, 4096) : input.maxLength,
    dictionary: arbitrary ? [] : input.dictionary,
    seeds: arbitrary ? [] : config.seeds,
    timeBudgetHintNs: slo.perCallMs * 1e6,
    targetSources: arbitrary ? [] : targetSources(file, packages),
    coverage: explore ? 'v8' : 'off',
    coverageInclude: coverageFilterFor(packages),
  });
  if (arbitrary) return createChoiceFeeder(arbitrary, engine, config.seeds, input.maxLength);
  return createByteFeeder(engine, input.type === 'bytes' ? 'bytes' : 'string');
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function runReplay(config: IsolateConfig, scenario: LoadedScenario): Promise<void> {
  if (config.mode.kind !== 'replay') return;
  const encoding = encodingFor(config.scenario.input.type);
  const replayCtx = createTargetContext(config.seed, (await createLoopChaos(config, undefined))?.injector ?? null);
  if (config.mode.trace) {
    // Trace phase (replay-trace.ts): violation and baseline call windows for the stack sampler.
    await runReplayTrace(shared, scenario.target, (bytes) => decodeInput(bytes, encoding), config.mode.trace, post, (iteration) => ({ ...replayCtx, iteration }) as TargetContext);
    post({ type: 'done', reason: 'replayed' });
    return;
  }
  const input: FedInput = { bytes: config.mode.input, value: decodeInput(config.mode.input, encoding) };
  createInputRecorder(config, ring)(input.bytes);
  const latenciesMs: number[] = [];
  let threw: { message: string; stack: string | null } | null = null;
  for (let i = 0; i < config.mode.repeats; i++) {
    replayCtx.iteration = i;
    const result = await timedCall(shared, scenario.target, input, replayCtx);
    latenciesMs.push(result.ms);
    if (result.threw && !isExpectedError(scenario.expectedError, result.error) && !threw) {
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
  const feeder = config.mode.kind === 'fuzz' ? recordingFeeder(createFeeder(config, scenario), createInputRecorder(config, ring)) : null;
  post({ type: 'ready', engine: feeder?.engine ?? 'replay', seeds: config.seeds.length, pid: process.pid, tid: threadId() });
  const chaos = feeder ? await createLoopChaos(config, data.chaos) : null;
  if (feeder) await runMeasuredLoop(shared, { call: scenario.target, expectedError: scenario.expectedError, chaos }, feeder, config, post);
  else await runReplay(config, scenario);
}

/**
 * A target whose promise never settles leaves nothing else on this thread's event loop:
 * the worker would exit and the call would look like a process.exit. This ref'd timer
 * keeps the worker alive so the host's watchdog reports the call as a timeout.
 */
const keepAlive = setInterval(() => undefined, 1 << 30);

main()
  .catch((error: unknown) => {
    const described = describeThrown(error);
    post({ type: 'fatal', message: described.message, stack: described.stack });
  })
  .finally(() => clearInterval(keepAlive));

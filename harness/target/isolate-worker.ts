/**
 * The measured loop. Runs on a worker thread inside the isolate host process: it imports
 * the scenario file again to reach the target, generates inputs, times every call around
 * the call itself, records into an HDR histogram and reports cumulative snapshots. Before
 * each call it publishes the input bytes and the start time in shared memory, so that the
 * host's watchdog can save the input of a call that never returns.
 */
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
import type { TargetContext } from '../scenario/types.ts';
import { errorSignature, runMeasuredLoop, timedCall, type LoopShared } from './measured-loop.ts';
import type { IsolateConfig, IsolateEvent } from './protocol.ts';

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

async function runReplay(config: IsolateConfig, scenario: LoadedScenario): Promise<void> {
  if (config.mode.kind !== 'replay') return;
  const encoding = encodingFor(config.scenario.input.type);
  const input: FedInput = { bytes: config.mode.input, value: decodeInput(config.mode.input, encoding) };
  const latenciesMs: number[] = [];
  let threw: { message: string; stack: string | null } | null = null;
  for (let i = 0; i < config.mode.repeats; i++) {
    const result = await timedCall(shared, scenario.target, input, { seed: config.seed, iteration: i });
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
  if (feeder) await runMeasuredLoop(shared, { call: scenario.target, expectedError: scenario.expectedError }, feeder, config, post);
  else await runReplay(config, scenario);
}

main().catch((error: unknown) => {
  const err = error instanceof Error ? error : new Error(String(error));
  post({ type: 'fatal', message: err.message, stack: err.stack ?? null });
});

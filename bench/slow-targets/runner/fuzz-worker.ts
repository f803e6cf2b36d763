/**
 * One engine's fuzzing loop against one slow target, on a worker thread so that the
 * supervisor (main thread) can stop a call that never returns. Before each call the input
 * and the start time go to shared memory, like the harness's own measured loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { createBuiltinEngine } from '../../../harness/engine/builtin/engine.ts';
import { loadSlowTarget, slowTargetCode } from '../index.ts';
import type { SlowTarget } from '../types.ts';
import { confirmThresholdMs, timeCallMs, worthConfirming } from './budget.ts';
import { CONTROL_BYTES, F64, SLOT, type FuzzOutcome, type FuzzWorkerData } from './protocol.ts';
import { SyncMeasure } from './sync-measure.ts';

const data = workerData as FuzzWorkerData;
const control = new Int32Array(data.control, 0, 2);
const times = new Float64Array(data.control, CONTROL_BYTES, 2);
const shared = new Uint8Array(data.inputBuffer);
const now = (): number => performance.timeOrigin + performance.now();

function publish(input: Uint8Array): void {
  const n = Math.min(input.length, shared.length);
  shared.set(n === input.length ? input : input.subarray(0, n));
  control[SLOT.INPUT_LENGTH] = n;
  times[F64.CALL_STARTED_AT] = now();
  Atomics.store(control, SLOT.IN_CALL, 1);
}

function settle(): void {
  Atomics.store(control, SLOT.IN_CALL, 0);
}

let outside: SyncMeasure | null = null;
/** Slow here (instrumented) but not in the uninstrumented worker. */
let instrumentedOnly = 0;

function closeOutside(): void {
  outside?.close();
  outside = null;
}

/**
 * Times one call under the watchdog. A slow call is confirmed where the target is not
 * instrumented (SyncMeasure): coverage slows tight loops up to ~4x, and a violation that
 * exists only under instrumentation is not one.
 */
function measuredCall(target: SlowTarget, input: Uint8Array): { ms: number; violation: boolean; startedAt: number } {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  publish(input);
  const startedAt = times[F64.CALL_STARTED_AT] as number;
  const ms = timeCallMs(target.fuzz, buf);
  settle();
  let violation = false;
  if (worthConfirming(ms, target.meta.budgetMs)) {
    outside ??= new SyncMeasure(data.target, target.meta.maxLength, data.hangMs).start();
    publish(input); // the confirmation runs under the same watchdog
    violation = outside.violates(input, confirmThresholdMs(target.meta.budgetMs));
    settle();
    if (!violation) instrumentedOnly++;
  }
  return { ms, violation, startedAt };
}

/** The confirmed violation: its input and when its call started. */
interface Violation {
  input: Uint8Array;
  callStartedAt: number;
}

function outcome(found: Violation | null, budgetMs: number, startedAt: number, executions: number, detail: FuzzOutcome['detail']): FuzzOutcome {
  return {
    type: 'outcome',
    found: found !== null,
    timeToViolationMs: found ? found.callStartedAt + budgetMs - startedAt : null,
    confirmedAfterMs: found ? now() - startedAt : null,
    inputHex: found ? Buffer.from(found.input).toString('hex') : null,
    executions,
    detail,
  };
}

function runBuiltin(target: SlowTarget): FuzzOutcome {
  const engine = createBuiltinEngine({
    seed: data.seed,
    maxLength: target.meta.maxLength,
    dictionary: [],
    seeds: [],
    timeBudgetHintNs: target.meta.budgetMs * 1e6,
    targetSources: [slowTargetCode(data.target)],
  });
  const startedAt = now();
  times[F64.LOOP_STARTED_AT] = startedAt;
  const deadline = startedAt + data.seconds * 1000;
  let executions = 0;
  let found: Violation | null = null;
  while (now() < deadline) {
    const input = engine.next();
    const call = measuredCall(target, input);
    executions++;
    engine.feedback(input, { latencyNs: call.ms * 1e6, threw: false });
    if (call.violation) {
      found = { input, callStartedAt: call.startedAt };
      break;
    }
  }
  const stats = engine.stats();
  engine.stop();
  return outcome(found, target.meta.budgetMs, startedAt, executions, {
    instrumentedOnly,
    coverage: stats.coverage,
    corpus: stats.corpusSize,
    keptForCost: stats.keptForCost,
    keptForCoverage: stats.keptForCoverage,
    coverageReads: stats.coverageReads,
    bisectRuns: stats.bisectRuns,
    coveredFeatures: stats.coveredFeatures,
    dictionary: stats.dictionarySize,
  });
}

function runFastCheck(target: SlowTarget): FuzzOutcome {
  const startedAt = now();
  times[F64.LOOP_STARTED_AT] = startedAt;
  let executions = 0;
  let found: Violation | null = null;
  const property = fc.property(fc.string({ maxLength: target.meta.maxLength }), (text) => {
    const input = Buffer.from(text, 'latin1');
    const call = measuredCall(target, input);
    executions++;
    if (call.violation) found = { input: Uint8Array.from(input), callStartedAt: call.startedAt };
    return !call.violation;
  });
  fc.check(property, {
    seed: data.seed,
    numRuns: Number.POSITIVE_INFINITY,
    interruptAfterTimeLimit: data.seconds * 1000,
    endOnFailure: true,
  });
  return outcome(found, target.meta.budgetMs, startedAt, executions, { instrumentedOnly, arbitrary: `fc.string({ maxLength: ${target.meta.maxLength} })` });
}

const target = await loadSlowTarget(data.target);
// Started before the clock does: its load time is not the engine's.
outside = new SyncMeasure(data.target, target.meta.maxLength, data.hangMs).start();
const result = data.engine === 'builtin' ? runBuiltin(target) : runFastCheck(target);
closeOutside();
parentPort?.postMessage(result);

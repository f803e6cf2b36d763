/**
 * The measured loop: generates inputs, times every call around the call itself, counts
 * latencies into shared memory and reports findings. Before each call it publishes the
 * input bytes and the start time in shared memory, so that the supervising thread can
 * save the input of a call that never returns. Kept free of worker wiring so the bench
 * measures exactly this loop.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CALL_POLICIES, judgeCall } from '../../measure/call-judgement.ts';
import type { FedInput, Feeder } from '../../engine/feeders.ts';
import { CallSchedule, correctedLatencyMs, harnessDelayMs, sleepPortionMs } from '../../measure/call-schedule.ts';
import { rawCountsView, recordSharedMs } from '../../measure/shared-counts.ts';
import type { TargetContext } from '../../scenario/types.ts';
import { createTargetContext, type LoopChaos } from './isolate-chaos.ts';
import { CONTROL, type FindingMessage, type IsolateConfig, type IsolateEvent } from './protocol.ts';

/** Views on the shared memory between the loop and its supervisor. */
export interface LoopShared {
  control: Int32Array;
  times: Float64Array;
  input: Uint8Array;
  /** Latency counts (measure/shared-counts.ts); a second region, when present, takes the raw times of a paced loop. */
  counts: Float64Array;
}

export type TargetCall = (input: unknown, ctx: TargetContext) => unknown;

export interface LoopTarget {
  call: TargetCall;
  expectedError: ((error: unknown) => boolean) | null;
  /** Dependency chaos behind ctx.dependency (isolate-chaos.ts); absent or null: none. */
  chaos?: LoopChaos | null;
}

const MAX_DISTINCT_FINDINGS = 32;
/** Warm re-runs all below this share of the first call: the target may memoise (see confirmSlow). */
const MEMO_SUSPECT_RATIO = 0.25;
/** The runner keeps at most a few hundred per run: more per report is only copying. */
const MAX_INTERESTING_PER_REPORT = 256;
/** A thrown value's text is cut here: a 100 MB message must not cross two process boundaries. */
const MAX_DESCRIPTION_CHARS = 4096;

/*
 * Captured when this module loads. isolate-worker.ts imports this module statically and the
 * scenario file (and so the target) dynamically afterwards, so a target that replaces
 * `performance.now`, `Promise` or `setImmediate` (`performance.now = () => 0`) cannot freeze
 * or skew the loop's clock, nor confuse how it waits for a call.
 */
const clock: () => number = performance.now.bind(performance);
/** performance.timeOrigin is a getter: read it once, not on every call. */
const TIME_ORIGIN = performance.timeOrigin;
const NativePromise = Promise;
const yieldToEventLoop = setImmediate;
const sleepOnSlot = Atomics.wait;
const loadSlot = Atomics.load;

function publishInput(shared: LoopShared, bytes: Uint8Array): void {
  const n = Math.min(bytes.length, shared.input.length);
  shared.input.set(n === bytes.length ? bytes : bytes.subarray(0, n), 0);
  shared.control[CONTROL.INPUT_LENGTH] = n;
}

/**
 * Reads a property of a thrown value as text, or null when reading or converting it throws
 * (a getter, a Proxy trap, Symbol.toPrimitive or toString that throws, a null prototype).
 */
function safeText(read: () => unknown): string | null {
  try {
    const value = read();
    if (value === undefined || value === null) return null;
    const text = typeof value === 'string' ? value : typeof value === 'symbol' ? value.toString() : String(value);
    return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS)}…` : text;
  } catch {
    return null;
  }
}

function isErrorInstance(value: unknown): value is Error {
  try {
    return value instanceof Error; // a Proxy's getPrototypeOf trap may throw
  } catch {
    return false;
  }
}

/**
 * Describes whatever a target threw or rejected with, without letting the value run code
 * that could abort the scenario: every read is guarded, and a value that cannot be read is
 * described by its type ("non-Error thrown (object; its toString threw or is missing)").
 */
export function errorSignature(error: unknown): { message: string; stack: string | null; signature: string } {
  if (isErrorInstance(error)) {
    const name = safeText(() => error.name) ?? 'Error';
    const text = safeText(() => error.message) ?? '(its message could not be read)';
    const stack = safeText(() => error.stack);
    // Same error type thrown from the same place is the same finding, whatever the input.
    const frame = stack?.split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
    return { message: `${name}: ${text}`, stack, signature: `${name.slice(0, 200)}@${frame.trim()}` };
  }
  const kind = error === null ? 'null' : typeof error;
  const text = safeText(() => error);
  const message = text !== null ? `non-Error thrown: ${text}` : `non-Error thrown (${kind}; its toString threw or is missing)`;
  return { message, stack: null, signature: `${kind}@` };
}

/** The scenario's expectedError predicate is user code too: a throw from it means "not expected". */
export function isExpectedError(predicate: ((error: unknown) => boolean) | null, error: unknown): boolean {
  if (!predicate) return false;
  try {
    return !!predicate(error);
  } catch {
    return false;
  }
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

export interface CallOutcome {
  ms: number;
  /** The loop's clock when the call started and when it returned (saves the loop clock reads). */
  startedAt: number;
  endedAt: number;
  error: unknown;
  threw: boolean;
}

/** Reused for synchronous calls: the loop reads it before the next call. No allocation per call. */
const syncOutcome: CallOutcome = { ms: 0, startedAt: 0, endedAt: 0, error: null, threw: false };

function finishCall(control: Int32Array, t0: number, error: unknown, threw: boolean, reuse: boolean): CallOutcome {
  const endedAt = clock();
  // Plain stores: the supervisor polls every few ms and only acts after the timeout, so
  // the fences Atomics.store adds buy nothing here; they would cost on every call.
  control[CONTROL.STATE] = 0;
  const outcome = reuse ? syncOutcome : { ms: 0, startedAt: 0, endedAt: 0, error: null, threw: false };
  outcome.ms = endedAt - t0;
  outcome.startedAt = t0;
  outcome.endedAt = endedAt;
  outcome.error = error;
  outcome.threw = threw;
  return outcome;
}

/** What reading `then` threw (a getter or Proxy trap), set when thenOf returns THEN_THREW. */
let thenError: unknown = null;
const THEN_THREW = Symbol('then threw');

/** A returned value's `then`, read once and guarded: a hostile getter counts as the call throwing. */
function thenOf(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  try {
    return (value as { then?: unknown }).then;
  } catch (e) {
    thenError = e;
    return THEN_THREW;
  }
}

/**
 * One timed call. Synchronous targets return synchronously: awaiting every call would
 * add a promise and a microtask per call, more than many parser calls cost.
 */
export function timedCall(shared: LoopShared, target: TargetCall, input: FedInput, ctx: TargetContext): CallOutcome | Promise<CallOutcome> {
  const { control, times } = shared;
  publishInput(shared, input.bytes);
  control[CONTROL.CALL_SEQ] = (control[CONTROL.CALL_SEQ] ?? 0) + 1;
  const t0 = clock();
  times[CONTROL.CALL_STARTED_AT] = TIME_ORIGIN + t0;
  control[CONTROL.STATE] = 1;
  let result: unknown;
  try {
    result = target(input.value, ctx);
  } catch (e) {
    return finishCall(control, t0, e, true, true);
  }
  const then = thenOf(result);
  if (then === THEN_THREW) return finishCall(control, t0, thenError, true, true);
  if (typeof then !== 'function') return finishCall(control, t0, null, false, true);
  // A resolve function never throws: a `then` that throws when read again or when called rejects.
  return new NativePromise<unknown>((resolve) => resolve(result)).then(
    () => finishCall(control, t0, null, false, false),
    (e: unknown) => finishCall(control, t0, e, true, false),
  );
}

/**
 * Waits until the loop's clock reaches `untilMs`: sleeps on the STOP slot (so the wait needs
 * no timer and no event loop) and spins the last fraction of a millisecond. False when the
 * supervisor asked the loop to stop meanwhile.
 */
function waitUntil(control: Int32Array, untilMs: number): boolean {
  for (;;) {
    if (loadSlot(control, CONTROL.STOP) === 1) return false;
    const remaining = untilMs - clock();
    if (remaining <= 0) return true;
    const sleep = sleepPortionMs(remaining);
    if (sleep > 0) sleepOnSlot(control, CONTROL.STOP, 0, sleep);
  }
}

export async function runMeasuredLoop(shared: LoopShared, target: LoopTarget, feeder: Feeder, config: IsolateConfig, post: (event: IsolateEvent) => void): Promise<void> {
  if (config.mode.kind !== 'fuzz') return;
  const { control, counts } = shared;
  const findings = new FindingTracker(post);
  const perCallMs = config.scenario.slo.perCallMs;
  const maxCalls = config.mode.calls ?? Number.POSITIVE_INFINITY;
  const start = clock();
  const deadline = start + config.mode.durationMs;
  // slo.rate: call i is due at start + i/rate and its latency counts from then (coordinated
  // omission corrected); the raw call times go to the second counts region when there is one.
  const rate = config.scenario.slo.rate;
  const schedule = rate !== undefined ? new CallSchedule(start, rate) : null;
  const rawCounts = schedule ? rawCountsView(counts) : null;
  let nextYield = start + config.snapshotIntervalMs;
  let calls = 0;
  const ctx = createTargetContext(config.seed, target.chaos?.injector ?? null);
  const feedback = { latencyNs: 0, threw: false };
  let reason: 'budget' | 'calls' | 'stopped' = 'budget';

  for (;;) {
    const generating = schedule ? clock() : 0;
    const input = feeder.next();
    // Making the input is the harness's time: when it made the call late, the schedule moves.
    if (schedule) schedule.pause(harnessDelayMs(schedule.intendedMs(calls), generating, clock()));
    const intended = schedule ? schedule.intendedMs(calls) : 0;
    if (schedule) {
      if (intended >= deadline) break;
      if (!waitUntil(control, intended)) {
        reason = 'stopped';
        break;
      }
    }
    ctx.iteration = calls;
    let outcome = timedCall(shared, target.call, input, ctx);
    if (outcome instanceof NativePromise) outcome = await outcome;
    const { ms, error, threw, startedAt } = outcome;
    let now = outcome.endedAt;
    calls++;
    recordSharedMs(counts, schedule ? correctedLatencyMs(intended, startedAt, now) : ms);
    if (rawCounts) recordSharedMs(rawCounts, ms);
    const injected = target.chaos ? { injectedMs: target.chaos.record(threw) } : null;
    // The engine and the per-call budget judge the input's own cost, never the queueing.
    feedback.latencyNs = ms * 1e6;
    feedback.threw = threw;
    feeder.feedback(input, feedback);
    if (threw && !isExpectedError(target.expectedError, error)) {
      const sig = errorSignature(error);
      findings.report({ kind: 'error', input: input.bytes.slice(), latencyMs: ms, confirmMs: [], ...sig, ...injected });
    }
    if (ms > perCallMs) {
      await confirmSlow(shared, target, input, ms, perCallMs, config.confirmRepeats, findings, injected);
      // Re-running the input is the harness's time, not lag the target caused.
      const after = clock();
      schedule?.pause(harnessDelayMs(schedule.intendedMs(calls), now, after));
      now = after;
    }
    if (now >= nextYield) {
      nextYield = now + config.snapshotIntervalMs;
      reportInteresting(feeder, post);
      // Let queued messages and timers run now and then; the loop itself never awaits.
      await new NativePromise<void>((resolve) => yieldToEventLoop(resolve));
      schedule?.pause(harnessDelayMs(schedule.intendedMs(calls), now, clock()));
      if (loadSlot(control, CONTROL.STOP) === 1) {
        reason = 'stopped';
        break;
      }
    }
    if (now >= deadline) break;
    if (calls >= maxCalls) {
      reason = 'calls';
      break;
    }
  }
  reportInteresting(feeder, post);
  post({ type: 'done', reason });
}

/** Hands the engine's newly kept inputs to the runner (which saves a bounded number of new ones). */
function reportInteresting(feeder: Feeder, post: (event: IsolateEvent) => void): void {
  const inputs = feeder.drainInteresting?.() ?? [];
  if (inputs.length > 0) post({ type: 'interesting', inputs: inputs.slice(0, MAX_INTERESTING_PER_REPORT) });
}

/**
 * A single slow call may be a GC pause or a noisy neighbour: re-run the input and call it
 * a finding when the median of all runs is still over the per-call budget. When only the
 * first call was slow and every warm re-run was far faster, the target may memoise (an LRU
 * cache in a parser): that is reported too, as a candidate, because repeating the call in
 * this warm worker cannot tell a cache hit from noise. The runner's minimiser settles it
 * with first calls in fresh workers (drivers/isolate/probe.ts) and drops what does not reproduce.
 */
async function confirmSlow(
  shared: LoopShared,
  target: LoopTarget,
  input: FedInput,
  firstMs: number,
  perCallMs: number,
  repeats: number,
  findings: FindingTracker,
  injected: { injectedMs: number } | null = null,
): Promise<void> {
  const runs = [firstMs];
  const confirmCtx = createTargetContext(0, target.chaos?.injector ?? null);
  confirmCtx.iteration = -1;
  const confirmMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { ms } = await timedCall(shared, target.call, input, confirmCtx);
    target.chaos?.discard();
    runs.push(ms);
    confirmMs.push(ms);
  }
  // 1 + confirmRepeats runs, an odd count for every caller (0 or 2 re-runs): the one middle value.
  const { violates, medianMs: median } = judgeCall(runs, perCallMs, CALL_POLICIES.detect);
  const warmMaxMs = Math.max(0, ...confirmMs);
  const onlyFirstCallSlow = confirmMs.length > 0 && warmMaxMs < firstMs * MEMO_SUSPECT_RATIO;
  if (!violates && !onlyFirstCallSlow) return;
  findings.report({
    kind: 'slow',
    input: input.bytes.slice(),
    latencyMs: firstMs,
    confirmMs,
    message:
      violates
        ? `median ${median.toFixed(3)} ms over ${runs.length} runs exceeds the per-call budget of ${perCallMs} ms`
        : `first call ${firstMs.toFixed(3)} ms exceeds the per-call budget of ${perCallMs} ms; warm re-runs took at most ${warmMaxMs.toFixed(3)} ms (memoised, or noise): to be confirmed on first calls in fresh workers`,
    stack: null,
    signature: `slow:${hashBytes(input.bytes)}`,
    ...injected,
  });
}

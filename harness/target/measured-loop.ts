/**
 * The measured loop: generates inputs, times every call around the call itself, counts
 * latencies into shared memory and reports findings. Before each call it publishes the
 * input bytes and the start time in shared memory, so that the supervising thread can
 * save the input of a call that never returns. Kept free of worker wiring so the bench
 * measures exactly this loop.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FedInput, Feeder } from '../engine/feeders.ts';
import { recordSharedMs } from '../measure/shared-counts.ts';
import type { TargetContext } from '../scenario/types.ts';
import { createTargetContext, type LoopChaos } from '../chaos/isolate-chaos.ts';
import { CONTROL, type FindingMessage, type IsolateConfig, type IsolateEvent } from './protocol.ts';

/** Views on the shared memory between the loop and its supervisor. */
export interface LoopShared {
  control: Int32Array;
  times: Float64Array;
  input: Uint8Array;
  counts: Float64Array;
}

export type TargetCall = (input: unknown, ctx: TargetContext) => unknown;

export interface LoopTarget {
  call: TargetCall;
  expectedError: ((error: unknown) => boolean) | null;
  /** Dependency chaos behind ctx.dependency (chaos/isolate-chaos.ts); absent or null: none. */
  chaos?: LoopChaos | null;
}

const MAX_DISTINCT_FINDINGS = 32;
/** Warm re-runs all below this share of the first call: the target may memoise (see confirmSlow). */
const MEMO_SUSPECT_RATIO = 0.25;
/** The runner keeps at most a few hundred per run: more per report is only copying. */
const MAX_INTERESTING_PER_REPORT = 256;
/** performance.timeOrigin is a getter: read it once, not on every call. */
const TIME_ORIGIN = performance.timeOrigin;

function publishInput(shared: LoopShared, bytes: Uint8Array): void {
  const n = Math.min(bytes.length, shared.input.length);
  shared.input.set(n === bytes.length ? bytes : bytes.subarray(0, n), 0);
  shared.control[CONTROL.INPUT_LENGTH] = n;
}

export function errorSignature(error: unknown): { message: string; stack: string | null; signature: string } {
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

export interface CallOutcome {
  ms: number;
  /** performance.now() when the call returned (saves the loop another clock read). */
  endedAt: number;
  error: unknown;
  threw: boolean;
}

/** Reused for synchronous calls: the loop reads it before the next call. No allocation per call. */
const syncOutcome: CallOutcome = { ms: 0, endedAt: 0, error: null, threw: false };

function finishCall(control: Int32Array, t0: number, error: unknown, threw: boolean, reuse: boolean): CallOutcome {
  const endedAt = performance.now();
  // Plain stores: the supervisor polls every few ms and only acts after the timeout, so
  // the fences Atomics.store adds buy nothing here; they would cost on every call.
  control[CONTROL.STATE] = 0;
  const outcome = reuse ? syncOutcome : { ms: 0, endedAt: 0, error: null, threw: false };
  outcome.ms = endedAt - t0;
  outcome.endedAt = endedAt;
  outcome.error = error;
  outcome.threw = threw;
  return outcome;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * One timed call. Synchronous targets return synchronously: awaiting every call would
 * add a promise and a microtask per call, more than many parser calls cost.
 */
export function timedCall(shared: LoopShared, target: TargetCall, input: FedInput, ctx: TargetContext): CallOutcome | Promise<CallOutcome> {
  const { control, times } = shared;
  publishInput(shared, input.bytes);
  control[CONTROL.CALL_SEQ] = (control[CONTROL.CALL_SEQ] ?? 0) + 1;
  const t0 = performance.now();
  times[CONTROL.CALL_STARTED_AT] = TIME_ORIGIN + t0;
  control[CONTROL.STATE] = 1;
  let result: unknown;
  try {
    result = target(input.value, ctx);
  } catch (e) {
    return finishCall(control, t0, e, true, true);
  }
  if (!isThenable(result)) return finishCall(control, t0, null, false, true);
  return Promise.resolve(result).then(
    () => finishCall(control, t0, null, false, false),
    (e: unknown) => finishCall(control, t0, e, true, false),
  );
}

export async function runMeasuredLoop(shared: LoopShared, target: LoopTarget, feeder: Feeder, config: IsolateConfig, post: (event: IsolateEvent) => void): Promise<void> {
  if (config.mode.kind !== 'fuzz') return;
  const { control, counts } = shared;
  const findings = new FindingTracker(post);
  const perCallMs = config.scenario.slo.perCallMs;
  const maxCalls = config.mode.calls ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  const deadline = start + config.mode.durationMs;
  let nextYield = start + config.snapshotIntervalMs;
  let calls = 0;
  const ctx = createTargetContext(config.seed, target.chaos?.injector ?? null);
  const feedback = { latencyNs: 0, threw: false };
  let reason: 'budget' | 'calls' | 'stopped' = 'budget';

  for (;;) {
    const input = feeder.next();
    ctx.iteration = calls;
    let outcome = timedCall(shared, target.call, input, ctx);
    if (outcome instanceof Promise) outcome = await outcome;
    const { ms, error, threw } = outcome;
    let now = outcome.endedAt;
    calls++;
    recordSharedMs(counts, ms);
    const injected = target.chaos ? { injectedMs: target.chaos.record(threw) } : null;
    feedback.latencyNs = ms * 1e6;
    feedback.threw = threw;
    feeder.feedback(input, feedback);
    if (threw && !(target.expectedError?.(error) ?? false)) {
      const sig = errorSignature(error);
      findings.report({ kind: 'error', input: input.bytes.slice(), latencyMs: ms, confirmMs: [], ...sig, ...injected });
    }
    if (ms > perCallMs) {
      await confirmSlow(shared, target, input, ms, perCallMs, config.confirmRepeats, findings, injected);
      now = performance.now();
    }
    if (now >= nextYield) {
      nextYield = now + config.snapshotIntervalMs;
      reportInteresting(feeder, post);
      // Let queued messages and timers run now and then; the loop itself never awaits.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (Atomics.load(control, CONTROL.STOP) === 1) {
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
 * with first calls in fresh workers (target/probe.ts) and drops what does not reproduce.
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
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)] ?? firstMs;
  const warmMaxMs = Math.max(0, ...confirmMs);
  const onlyFirstCallSlow = confirmMs.length > 0 && warmMaxMs < firstMs * MEMO_SUSPECT_RATIO;
  if (median <= perCallMs && !onlyFirstCallSlow) return;
  findings.report({
    kind: 'slow',
    input: input.bytes.slice(),
    latencyMs: firstMs,
    confirmMs,
    message:
      median > perCallMs
        ? `median ${median.toFixed(3)} ms over ${runs.length} runs exceeds the per-call budget of ${perCallMs} ms`
        : `first call ${firstMs.toFixed(3)} ms exceeds the per-call budget of ${perCallMs} ms; warm re-runs took at most ${warmMaxMs.toFixed(3)} ms (memoised, or noise): to be confirmed on first calls in fresh workers`,
    stack: null,
    signature: `slow:${hashBytes(input.bytes)}`,
    ...injected,
  });
}

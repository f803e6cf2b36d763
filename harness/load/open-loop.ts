/**
 * Open-loop HTTP load at a fixed rate, free of coordinated omission.
 *
 * Request i is due at t0 + i/rate (an even pace) whatever happened to earlier requests; its
 * latency is measured from that INTENDED time (the corrected measure: what a user arriving then
 * would have waited, including any time spent queued behind a stalled connection) and also from
 * the moment undici actually wrote it to a socket (the uncorrected measure a closed-loop tool
 * reports). The gap between the two is the coordinated omission a closed-loop tool hides.
 *
 * Why not autocannon for this (measured on this machine, see DESIGN.md): its `overallRate`
 * gives each connection a per-second quota that it spends in bursts (a quarter of 100 ms
 * windows idle), it times latency from the actual send, and its CO correction back-fills with
 * an expected interval of ceil(1/rate) = 1 ms whatever the rate, which back-fills phantom samples
 * whenever a connection's real interval is longer than 1 ms (at 4,000 req/s: P99 38 ms vs a true 10).
 * autocannon stays the closed-loop throughput driver (closed-loop.ts).
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { createLatencyHistogram, recordMs, type Histogram } from './latency-histogram.ts';
import {
  achievedRate,
  buildTimeline,
  classifyTransportError,
  countOutcome,
  dueCount,
  emptyErrorCounts,
  intendedOffsetNs,
  plannedRequestCount,
  type RequestOutcomes,
  type TransportErrorKind,
} from './schedule.ts';
import { quantileNearestRank } from '../core/stats.ts';
import type { OpenLoopOptions, OpenLoopResult, ResponseInfo } from './types.ts';

export type * from './types.ts';

interface InFlight {
  i: number;
  intendedNs: number;
  handedNs: number;
  sentNs: number | null;
  status: number | null;
  abortSocket: ((err?: Error) => void) | null;
  timer: NodeJS.Timeout | null;
  settled: boolean;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Run one open-loop phase. Never rejects for service failures; those are counted in the result. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const planned = plannedRequestCount(options.rate, options.durationMs, options.requests);
  const corrected = await createLatencyHistogram();
  const uncorrected = await createLatencyHistogram();
  const run = new OpenLoopRun(options, planned, corrected, uncorrected);
  try {
    await run.execute();
  } catch (error) {
    corrected.destroy();
    uncorrected.destroy();
    throw error;
  }
  return run.result();
}

class OpenLoopRun {
  private readonly rate: number;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly pool: Pool;
  /** Intended time of request 0; set when the run starts, after all allocation is done. */
  private t0 = 0n;
  private startedAtEpochMs = 0;
  private readonly outcomes: RequestOutcomes;
  private readonly lagsMs: Float64Array;
  private readonly queuedFlags: Uint8Array;
  private readonly waiting: number[] = [];
  private waitingHead = 0;
  private readonly live = new Set<InFlight>();
  private readonly errors = emptyErrorCounts();
  private next = 0;
  private completed = 0;
  private settledCount = 0;
  private queuedBehind = 0;
  private abandoned = 0;
  private maxLagNs = 0;
  private lastIssueNs = 0;
  private stopped = false;
  private aborted = false;
  private hookError: unknown = undefined;
  private wake: (() => void) | null = null;
  private cancelWake: () => void = () => undefined;
  private onSettled: (() => void) | null = null;
  private wallMs = 0;

  constructor(
    private readonly options: OpenLoopOptions,
    private readonly planned: number,
    private readonly corrected: Histogram,
    private readonly uncorrected: Histogram,
  ) {
    this.rate = options.rate;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;
    // undici's own timeouts are off: this run owns the timeout so it can record when it fired.
    this.pool = new Pool(options.origin, {
      connections: options.connections ?? 10,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.outcomes = { correctedMs: new Float64Array(planned).fill(Number.NaN), isError: new Uint8Array(planned), issued: 0 };
    this.lagsMs = new Float64Array(planned);
    this.queuedFlags = new Uint8Array(planned);
  }

  async execute(): Promise<void> {
    const onAbort = (): void => this.stop(true);
    const signal = this.options.signal;
    this.t0 = process.hrtime.bigint();
    this.startedAtEpochMs = Date.now();
    if (signal?.aborted) this.stop(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.sendSchedule();
      await this.drain();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.wallMs = this.elapsedNs() / 1e6;
      for (const request of this.live) if (request.timer) clearTimeout(request.timer);
      await this.pool.destroy().catch(() => undefined);
    }
    if (this.hookError !== undefined) throw this.hookError;
  }

  result(): OpenLoopResult {
    const issued = this.next;
    this.outcomes.issued = issued;
    return {
      rate: this.rate,
      durationMs: (this.planned / this.rate) * 1000,
      planned: this.planned,
      sent: issued,
      completed: this.completed,
      errors: { ...this.errors },
      queuedBehind: this.queuedBehind,
      abandoned: this.abandoned,
      aborted: this.aborted,
      correctedHistogram: this.corrected,
      uncorrectedHistogram: this.uncorrected,
      achievedRate: achievedRate(issued, this.lastIssueNs, this.rate),
      maxLagMs: this.maxLagNs / 1e6,
      lagP99Ms: quantileNearestRank(this.lagsMs.subarray(0, issued), 0.99) ?? 0,
      wallMs: this.wallMs,
      startedAtEpochMs: this.startedAtEpochMs,
      timeline: buildTimeline(this.outcomes, this.rate, this.options.timelineWindowMs ?? 100),
    };
  }

  private elapsedNs(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  private stop(aborted: boolean): void {
    if (aborted && !this.stopped) this.aborted = true;
    this.stopped = true;
    this.wake?.();
    this.onSettled?.();
  }

  /** Issue every request at its intended time; resolves when all are issued or the run stops. */
  private sendSchedule(): Promise<void> {
    return new Promise((resolve) => {
      const tick = (): void => {
        this.cancelWake = () => undefined;
        if (this.stopped) return finish();
        const nowNs = this.elapsedNs();
        const due = dueCount(nowNs, this.rate, this.planned);
        // Catch up on everything due (after a timer overslept or the loop was busy) so the
        // schedule never drifts; the lateness shows up in maxLagMs and in corrected latency.
        while (this.next < due && !this.stopped) this.issue(this.next++, nowNs);
        if (this.next >= this.planned || this.stopped) return finish();
        this.sleepUntil(intendedOffsetNs(this.next, this.rate), tick);
      };
      const finish = (): void => {
        this.wake = null;
        this.cancelWake();
        resolve();
      };
      this.wake = finish;
      tick();
    });
  }

  private sleepUntil(targetNs: number, tick: () => void): void {
    const waitMs = (targetNs - this.elapsedNs()) / 1e6;
    const precise = this.options.pacing === 'precise';
    if (!precise || waitMs > 2) {
      const delayMs = precise ? Math.floor(waitMs - 1) : Math.max(1, Math.ceil(waitMs));
      const timer = setTimeout(tick, delayMs);
      this.cancelWake = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(tick);
      this.cancelWake = () => clearImmediate(immediate);
    }
  }

  private issue(i: number, nowNs: number): void {
    const lagNs = Math.max(0, nowNs - intendedOffsetNs(i, this.rate));
    this.maxLagNs = Math.max(this.maxLagNs, lagNs);
    this.lagsMs[i] = lagNs / 1e6;
    this.lastIssueNs = nowNs;
    if (this.live.size >= this.maxInFlight) {
      this.queuedBehind += 1;
      this.queuedFlags[i] = 1;
      this.waiting.push(i);
      return;
    }
    this.handOver(i);
  }

  /** Give request i to undici and arm its timeout. */
  private handOver(i: number): void {
    const request: InFlight = {
      i,
      intendedNs: intendedOffsetNs(i, this.rate),
      handedNs: this.elapsedNs(),
      sentNs: null,
      status: null,
      abortSocket: null,
      timer: null,
      settled: false,
    };
    this.live.add(request);
    request.timer = setTimeout(() => {
      this.settle(request, null, 'timeout', `no response within ${this.timeoutMs} ms`);
      // Cancel it in undici too, as a real client would (undici closes that socket).
      request.abortSocket?.(new TimeoutError(this.timeoutMs));
    }, this.timeoutMs);
    try {
      const spec = this.options.buildRequest(i);
      this.pool.dispatch(
        { method: spec.method, path: spec.path, headers: spec.headers ?? null, body: spec.body ?? null },
        this.handlerFor(request),
      );
    } catch (error) {
      this.settle(request, null, 'other', errorMessage(error));
    }
  }

  private handlerFor(request: InFlight): Dispatcher.DispatchHandlers {
    return {
      onConnect: (abort) => {
        if (request.settled) return abort(new TimeoutError(this.timeoutMs));
        request.sentNs = this.elapsedNs();
        request.abortSocket = abort;
      },
      onHeaders: (statusCode) => {
        request.status = statusCode;
        return true;
      },
      onData: () => true,
      onComplete: () => this.settle(request, request.status, null),
      onError: (error) => this.settle(request, null, classifyTransportError(error), errorMessage(error)),
    };
  }

  private settle(request: InFlight, status: number | null, error: TransportErrorKind | null, message?: string): void {
    if (request.settled) return;
    request.settled = true;
    if (request.timer) clearTimeout(request.timer);
    this.live.delete(request);
    const doneNs = this.elapsedNs();
    const sentNs = request.sentNs ?? request.handedNs;
    const correctedMs = (doneNs - request.intendedNs) / 1e6;
    if (error === null || error === 'timeout') {
      recordMs(this.corrected, correctedMs);
      recordMs(this.uncorrected, (doneNs - sentNs) / 1e6);
      this.outcomes.correctedMs[request.i] = correctedMs;
    }
    if (error === null) this.completed += 1;
    countOutcome(this.errors, status, error);
    if (error !== null || (status !== null && status >= 500)) this.outcomes.isError[request.i] = 1;
    this.settledCount += 1;
    this.notify({ i: request.i, intendedNs: request.intendedNs, sentNs, doneNs, status, error, ...(message === undefined ? {} : { errorMessage: message }), queuedBehind: this.queuedFlags[request.i] === 1 });
    this.handOverWaiting();
    this.onSettled?.();
  }

  private handOverWaiting(): void {
    while (!this.stopped && this.waitingHead < this.waiting.length && this.live.size < this.maxInFlight) {
      const i = this.waiting[this.waitingHead++];
      if (i !== undefined) this.handOver(i);
    }
  }

  private notify(info: ResponseInfo): void {
    if (!this.options.onResponse || this.hookError !== undefined) return;
    try {
      this.options.onResponse(info);
    } catch (error) {
      this.hookError = error;
      this.stop(false);
    }
  }

  /** Wait until every issued request settled; after a stop, give in-flight ones a grace period. */
  private async drain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.settledCount >= this.next || this.stopped) resolve();
      };
      this.onSettled = check;
      check();
    });
    this.onSettled = null;
    if (this.settledCount >= this.next) return;
    this.abandonWaiting();
    await this.graceForLive();
    this.abandonLive();
  }

  private abandonWaiting(): void {
    while (this.waitingHead < this.waiting.length) {
      const i = this.waiting[this.waitingHead++];
      if (i === undefined) continue;
      this.abandoned += 1;
      const intendedNs = intendedOffsetNs(i, this.rate);
      this.notify({ i, intendedNs, sentNs: intendedNs, doneNs: this.elapsedNs(), status: null, error: 'abandoned', queuedBehind: true });
    }
  }

  private graceForLive(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.abortGraceMs ?? 1000);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.onSettled = () => {
        if (this.live.size === 0) done();
      };
    }).finally(() => {
      this.onSettled = null;
    });
  }

  private abandonLive(): void {
    for (const request of [...this.live]) {
      request.settled = true;
      if (request.timer) clearTimeout(request.timer);
      this.live.delete(request);
      this.abandoned += 1;
      const doneNs = this.elapsedNs();
      this.notify({ i: request.i, intendedNs: request.intendedNs, sentNs: request.sentNs ?? request.handedNs, doneNs, status: null, error: 'abandoned', queuedBehind: this.queuedFlags[request.i] === 1 });
    }
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

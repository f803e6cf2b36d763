/**
 * Closed-loop throughput phase driven by autocannon: each connection sends its next request as
 * soon as the previous response arrives, so the result is "how many requests per second can this
 * service take", not "what latency does a user see at a given arrival rate".
 *
 * Latency: every response time autocannon reports (a float in ms, from its 'response' event) is
 * recorded into our own HDR histogram at microsecond resolution; autocannon's own histogram keeps
 * whole milliseconds, which is useless for a service answering in 100 µs.
 *
 * Why open-loop phases do not use autocannon (measured on this machine, DESIGN.md "Facts"):
 * - its overallRate is a per-connection, per-second quota spent in bursts, not an even pace
 *   (26-32% of 100 ms windows idle), so it does not offer the load it was asked for;
 * - it times each request from its actual send, so requests that would have queued behind a
 *   stall are never sent and never measured (coordinated omission);
 * - its CO correction back-fills with an expected interval of ceil(1/rate) = 1 ms at any rate,
 *   which inflates the tail (P99 38 ms reported vs 10 ms true at 4,000 req/s).
 * open-loop.ts measures from intended send times instead; open-loop.test.ts shows on a stalled
 * server that this driver's latencies miss the stall's queueing while the open-loop ones do not.
 */
import autocannon from 'autocannon';
import { createLatencyHistogram, recordMs, type Histogram } from './latency-histogram.ts';

/** An entry of autocannon's `requests` sequence (method, path, headers, body, setupRequest...). */
export type ClosedLoopRequest = autocannon.Request;

export interface ClosedLoopResponse {
  statusCode: number;
  resBytes: number;
  /** Response time as autocannon measured it, from the actual send, in ms (float). */
  responseTimeMs: number;
}

export interface ClosedLoopOptions {
  /** Full URL, e.g. 'http://127.0.0.1:8080/'. */
  url: string;
  /** Default 10. */
  connections?: number;
  durationMs: number;
  /** Request sequence each connection cycles through; default a GET of the url's path. */
  requests?: ClosedLoopRequest[];
  /** Per-request timeout. Default 10,000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onResponse?: (response: ClosedLoopResponse) => void;
}

export interface ClosedLoopResult {
  /** Responses divided by the wall time of the run, measured by us. */
  requestsPerSec: number;
  /** autocannon's own figure (mean of its per-sample counts, scaled to per second). */
  autocannonRequestsPerSec: number;
  /** Responses received (any status); equals latencyHistogram.totalCount. */
  completed: number;
  /** Response times in microseconds. Caller destroys it. */
  latencyHistogram: Histogram;
  /** Connection errors and timeouts, as autocannon counts them (timeouts included). */
  errors: number;
  timeouts: number;
  non2xx: number;
  status4xx: number;
  status5xx: number;
  wallMs: number;
  aborted: boolean;
}

/**
 * autocannon only checks its stop flag on each sample tick (default every 1,000 ms), so a 1.5 s
 * run would last 2 s; a 100 ms tick keeps the run close to the requested duration.
 */
const SAMPLE_INTERVAL_MS = 100;

export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const histogram = await createLatencyHistogram();
  let completed = 0;
  let hookError: unknown = undefined;
  const autocannonOptions: autocannon.Options & { sampleInt: number } = {
    url: options.url,
    connections: options.connections ?? 10,
    duration: options.durationMs / 1000,
    timeout: (options.timeoutMs ?? 10_000) / 1000,
    sampleInt: SAMPLE_INTERVAL_MS,
    ...(options.requests ? { requests: options.requests } : {}),
  };
  const startedNs = process.hrtime.bigint();
  let settle: (error: unknown, result?: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    settle = (error, result) => (error || !result ? reject(error ?? new Error('autocannon gave no result')) : resolve(result));
  });
  // The callback form returns the instance (events, stop()); the promise form returns only a promise.
  const instance = autocannon(autocannonOptions, (error: unknown, result: autocannon.Result) => settle(error, result));
  const stop = (): void => instance.stop();
  let aborted = false;
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  instance.on('response', (_client, statusCode, resBytes, responseTimeMs) => {
    completed += 1;
    recordMs(histogram, responseTimeMs);
    if (!options.onResponse || hookError !== undefined) return;
    try {
      options.onResponse({ statusCode, resBytes, responseTimeMs });
    } catch (error) {
      hookError = error;
      stop();
    }
  });
  try {
    const result = await finished;
    const wallMs = Number(process.hrtime.bigint() - startedNs) / 1e6;
    if (hookError !== undefined) throw hookError;
    return {
      requestsPerSec: completed / (wallMs / 1000),
      autocannonRequestsPerSec: result.requests.average * (1000 / SAMPLE_INTERVAL_MS),
      completed,
      latencyHistogram: histogram,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      status4xx: result['4xx'],
      status5xx: result['5xx'],
      wallMs,
      aborted,
    };
  } catch (error) {
    histogram.destroy();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

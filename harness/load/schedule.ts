/**
 * Pure core of the open-loop load generator: the intended send schedule, error classification,
 * and the latency-over-time timeline. No clocks, sockets or histograms here, so all of it is
 * unit-tested with plain numbers (see schedule.test.ts).
 */
import { quantileNearestRank } from '../core/stats.ts';

/** How a request that did not produce an HTTP response failed. */
export type TransportErrorKind = 'timeout' | 'connection' | 'other';

/** Error counters of an open-loop run. status4xx/status5xx count responses, the rest count failures. */
export interface LoadErrorCounts {
  timeout: number;
  connection: number;
  status5xx: number;
  status4xx: number;
  other: number;
}

/** One window of the latency timeline, keyed by the requests' INTENDED send times. */
export interface TimelineWindow {
  /** Window start, milliseconds after the run's t0 (the first intended send). */
  tStartMs: number;
  /** Requests whose intended send time falls in this window. */
  count: number;
  /** Exact (nearest-rank) P99 of the corrected latencies recorded in this window; null if none. */
  p99Ms: number | null;
  /** Timeouts, connection errors, other failures and 5xx responses in this window. */
  errors: number;
}

const NS_PER_SECOND = 1e9;

/**
 * Number of requests a run will schedule. An explicit request count wins over a duration.
 * Throws on inputs that cannot describe a run, because a silent zero-request run would look like a pass.
 */
export function plannedRequestCount(rate: number, durationMs: number | undefined, requests: number | undefined): number {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive finite number, got ${rate}`);
  if (requests !== undefined) {
    if (!Number.isInteger(requests) || requests < 1) throw new RangeError(`requests must be a positive integer, got ${requests}`);
    return requests;
  }
  if (durationMs === undefined) throw new RangeError('either durationMs or requests is required');
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) throw new RangeError(`durationMs must be positive, got ${durationMs}`);
  return Math.max(1, Math.floor((rate * durationMs) / 1000));
}

/** Intended send time of request i, in nanoseconds after t0: an even pace, t0 + i/rate. */
export function intendedOffsetNs(i: number, rate: number): number {
  return (i * NS_PER_SECOND) / rate;
}

/**
 * Index of the first request whose intended time is strictly after `elapsedNs`, i.e. how many
 * requests are due by then. Used by the sender to catch up after any pause without drifting.
 */
export function dueCount(elapsedNs: number, rate: number, planned: number): number {
  if (elapsedNs < 0) return 0;
  const due = Math.floor((elapsedNs * rate) / NS_PER_SECOND) + 1;
  return Math.min(planned, due);
}

/**
 * Rate the sender actually held: requests issued over the span from t0 to the last issue,
 * plus one interval (so a perfectly paced run of n requests yields exactly `rate`).
 */
export function achievedRate(issued: number, lastIssueNs: number, rate: number): number {
  if (issued === 0) return 0;
  const spanSeconds = lastIssueNs / NS_PER_SECOND + 1 / rate;
  return issued / spanSeconds;
}

/** Error codes that mean the connection to the service failed (refused, reset, closed...). */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Classify a transport failure by its `code` (Node and undici errors carry one). */
export function classifyTransportError(error: unknown): Exclude<TransportErrorKind, 'timeout'> {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
  if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return 'connection';
  // AggregateError (e.g. connect to both ::1 and 127.0.0.1 refused) carries its causes.
  if (error instanceof AggregateError && error.errors.some((e) => classifyTransportError(e) === 'connection')) return 'connection';
  return 'other';
}

/** Add one settled request to the error counters. */
export function countOutcome(counts: LoadErrorCounts, status: number | null, error: TransportErrorKind | null): void {
  if (error !== null) {
    counts[error] += 1;
  } else if (status !== null && status >= 500) {
    counts.status5xx += 1;
  } else if (status !== null && status >= 400) {
    counts.status4xx += 1;
  }
}

export function emptyErrorCounts(): LoadErrorCounts {
  return { timeout: 0, connection: 0, status5xx: 0, status4xx: 0, other: 0 };
}

/** Per-request outcome as stored by the sender, indexed by request number. */
export interface RequestOutcomes {
  /** Corrected latency in ms (from the intended send time); NaN when none was recorded. */
  correctedMs: Float64Array;
  /** 1 when the request counts as an error in the timeline (failure or 5xx), else 0. */
  isError: Uint8Array;
  /** How many requests were issued (indices 0..issued-1 are meaningful). */
  issued: number;
}

/**
 * Bucket requests into windows of `windowMs` by intended send time (i / rate), with each
 * window's exact P99 of corrected latency. Windows cover every issued request, empty ones included,
 * so a chart's x-axis has no gaps.
 */
export function buildTimeline(outcomes: RequestOutcomes, rate: number, windowMs: number): TimelineWindow[] {
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
  if (outcomes.issued === 0) return [];
  const windowOf = (i: number): number => Math.floor(intendedOffsetNs(i, rate) / 1e6 / windowMs);
  const windowCount = windowOf(outcomes.issued - 1) + 1;
  const latencies: number[][] = Array.from({ length: windowCount }, () => []);
  const counts = new Array<number>(windowCount).fill(0);
  const errors = new Array<number>(windowCount).fill(0);
  for (let i = 0; i < outcomes.issued; i++) {
    const w = windowOf(i);
    counts[w] = (counts[w] ?? 0) + 1;
    errors[w] = (errors[w] ?? 0) + (outcomes.isError[i] ?? 0);
    const latency = outcomes.correctedMs[i] ?? Number.NaN;
    if (!Number.isNaN(latency)) latencies[w]?.push(latency);
  }
  return latencies.map((values, w) => ({
    tStartMs: w * windowMs,
    count: counts[w] ?? 0,
    p99Ms: quantileNearestRank(values, 0.99),
    errors: errors[w] ?? 0,
  }));
}

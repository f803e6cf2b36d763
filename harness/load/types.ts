/**
 * Public types of the open-loop load generator (open-loop.ts).
 */
import type { Dispatcher } from 'undici';
import type { Histogram } from './latency-histogram.ts';
import type { LoadErrorCounts, TimelineWindow, TransportErrorKind } from './schedule.ts';

export type { Histogram } from './latency-histogram.ts';
export type { LoadErrorCounts, TimelineWindow, TransportErrorKind } from './schedule.ts';

export type HttpMethod = Dispatcher.HttpMethod;

/** One request to send, built from its index (e.g. from a fuzz input). */
export interface LoadRequest {
  method: HttpMethod;
  /** Path with query string, e.g. '/authorize?user=1'. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * How the sender waits for the next intended send time.
 * - 'timer' (default) sleeps on setTimeout only. Measured here: scheduling lag P99 ~1.3 ms at
 *   200 and 2,000 req/s, client CPU 4% / 23%. The lag is part of every corrected latency and is
 *   reported as lagP99Ms / maxLagMs.
 * - 'precise' sleeps until ~1 ms before the send, then yields with setImmediate until due: lag
 *   P99 ~0.5-0.9 ms, but the client spins (38% CPU at 200 req/s, a full core at 2,000 req/s),
 *   which on a 2-core machine is a CPU stressor of its own against the service under test.
 */
export type PacingMode = 'precise' | 'timer';

export interface OpenLoopOptions {
  /** Service origin, e.g. 'http://127.0.0.1:8080'. */
  origin: string;
  /** Requests per second. */
  rate: number;
  /** Length of the schedule; ignored when `requests` is given. */
  durationMs?: number;
  /** Exact number of requests to schedule. */
  requests?: number;
  buildRequest: (i: number) => LoadRequest;
  /** Keep-alive connections in the pool (pipelining 1). Default 10. */
  connections?: number;
  /** Per-request timeout, counted from when the request is handed to the HTTP client. Default 10,000. */
  timeoutMs?: number;
  /**
   * Requests handed to the HTTP client and not yet settled. A request due while this many are in
   * flight still counts as sent at its intended time; it waits client-side (the wait is part of
   * its corrected latency) and is counted in `queuedBehind`. Default: unlimited.
   */
  maxInFlight?: number;
  /** Stop scheduling; in-flight requests get `abortGraceMs` to finish. */
  signal?: AbortSignal;
  /** Default 1,000. */
  abortGraceMs?: number;
  /** Width of the timeline windows. Default 100. */
  timelineWindowMs?: number;
  /** Default 'timer'. */
  pacing?: PacingMode;
  /** Called once per settled request (also for abandoned ones). A throw stops the run and is rethrown. */
  onResponse?: (info: ResponseInfo) => void;
}

/**
 * What happened to one request. Times are nanoseconds after the run's t0 (the first intended
 * send; its wall-clock time is `OpenLoopResult.startedAtEpochMs`).
 */
export interface ResponseInfo {
  i: number;
  intendedNs: number;
  /**
   * When undici wrote it to a socket. If it never reached one: when it was handed to undici, or,
   * for a request abandoned in the client-side queue, its intended time.
   */
  sentNs: number;
  doneNs: number;
  /** Final HTTP status, or null when no response arrived. */
  status: number | null;
  error: TransportErrorKind | 'abandoned' | null;
  errorMessage?: string;
  queuedBehind: boolean;
}

export interface OpenLoopResult {
  rate: number;
  /** Span of the intended schedule, planned / rate. */
  durationMs: number;
  planned: number;
  /** Requests issued at (or, when the sender lagged, after) their intended time. */
  sent: number;
  /** Requests that received a full HTTP response, whatever its status. */
  completed: number;
  errors: LoadErrorCounts;
  /** Requests that found `maxInFlight` reached at their intended time and waited client-side. */
  queuedBehind: number;
  /** Sent but unsettled when an abort's grace period ended (not in any histogram). */
  abandoned: number;
  aborted: boolean;
  /**
   * Latency from the intended send time, microseconds. Holds responses and timeouts (a timeout is
   * recorded at the moment it fired, a lower bound); connection and other failures are not recorded
   * because their fast failure would flatter the tail. Caller destroys it.
   */
  correctedHistogram: Histogram;
  /** Same requests, latency from the actual send. Caller destroys it. */
  uncorrectedHistogram: Histogram;
  achievedRate: number;
  /** How far the sender fell behind the schedule at worst (client-side lag, part of corrected latency). */
  maxLagMs: number;
  lagP99Ms: number;
  wallMs: number;
  startedAtEpochMs: number;
  timeline: TimelineWindow[];
}

/**
 * results.json: the sections of a scenario filled by the service driver, the exploration phase,
 * the breaking-point search and chaos (results-schema.ts has the whole file).
 */
import type { FindingStacks } from './results-findings.ts';
import type { LatencySummary, SloResult } from './results-slo.ts';

/** Figures of an HTTP service scenario's measured load phase. Latencies in ms. */
export interface ServiceStats {
  /** The service's argv as started (placeholders filled). */
  command: string[];
  origin: string;
  /** Open-loop rate asked for and achieved, req/s. */
  rate: number;
  achievedRate: number;
  connections: number;
  planned: number;
  sent: number;
  /** Requests that received a full response (any status). */
  completed: number;
  errors: { timeout: number; connection: number; status5xx: number; status4xx: number; other: number };
  /** Latency from each request's intended send time (the one the SLO is judged on). */
  corrected: { p50Ms: number; p99Ms: number; maxMs: number };
  /** Latency from the actual send, as a closed-loop tool reports it: the gap to `corrected` is coordinated omission. */
  uncorrected: { p50Ms: number; p99Ms: number; maxMs: number };
  /** How late the sender was against its schedule (part of the corrected latency). */
  lagP99Ms: number;
  maxLagMs: number;
  /** `embedded` (slo-harness's Toxiproxy-API server) or `external` (TOXIPROXY_URL). */
  proxy: { mode: 'embedded' | 'external'; url: string };
  dependencies: Array<{ name: string; upstream: string; proxied: string }>;
  /** Conditions that weaken the measurement (e.g. the load generator falling behind on a busy machine). */
  warnings?: string[];
  /** Stack samples of the service process over the measured load phase (`--trace`; harness/trace/service-trace.ts). */
  stacks?: ServiceStacks;
}

/**
 * Where a service spent its time during the measured load phase. Requests overlap, so a sample
 * taken while any violating request was in flight counts for the violation side; the baseline
 * is the time when only non-violating requests were in flight.
 */
export interface ServiceStacks {
  /** `bpftrace`, `v8-inspector` (in-process profiler loaded with --require) or `none`. */
  backend: string;
  /** Why this backend (fallback reasons), or why there are no stacks. */
  reason: string | null;
  /** Requests whose corrected latency exceeded this are the violation windows, ms. */
  thresholdMs: number;
  /** Where the threshold comes from, e.g. `p99 SLO`. */
  thresholdFrom: string;
  requests: { violating: number; baseline: number };
  /** Stacks while violating requests were in flight, diffed against baseline time; null when no request violated or nothing was sampled. */
  violation: FindingStacks | null;
  /** Every sample of the service's main thread over the load phase; null when nothing was sampled. */
  phase: FindingStacks | null;
  notes: string[];
}

/** The instrumented exploration phase of a scenario (builtin with V8 coverage, or Jazzer.js). */
export interface ExplorationSummary {
  /** Engine that explored, e.g. "builtin" (V8 block coverage) or "jazzer". */
  engine: string;
  durationMs: number;
  calls: number;
  callsPerSecond: number;
  /** Inputs the exploration kept (coverage or cost), handed to the measured phase. */
  kept: number;
  /** New inputs saved to corpora/<scenario>/interesting in this run (bounded). */
  interestingSaved: number;
  /** Why exploration ended early or was skipped, or null. */
  note: string | null;
}

// ---------------------------------------------------------------------------------------
// Optional sections filled by the search, chaos, trace and report capabilities. Readers
// render what is present; each is optional so older files stay valid at version 1.
// ---------------------------------------------------------------------------------------

/** One measured step of a breaking-point search. Latencies in ms. */
export interface IntensityPoint {
  /** Value of the knob at this step, in `knobUnit`. */
  intensity: number;
  p50Ms: number;
  p99Ms: number;
  /** Bounds of the P99's order-statistic confidence interval (95%). */
  p99LowerMs: number;
  /** Null when too few samples bound the interval from above (JSON has no Infinity). */
  p99UpperMs: number | null;
  /** Successful calls measured at this step. */
  samples: number;
  /** Calls that failed (error, timeout, reset) at this step. */
  errors: number;
}

/**
 * How the search ended (the search module's own terms): `found` (a proven pass and a proven
 * fail bracket the breaking point), `below-range` (the SLO already failed at the lowest
 * intensity), `not-broken` (the SLO held up to the highest intensity tried),
 * `inconclusive` (intervals too wide to place the crossing), `budget-exhausted` (the step
 * budget, time budget or a signal stopped it).
 */
export type BreakingPointStatus = 'found' | 'below-range' | 'not-broken' | 'inconclusive' | 'budget-exhausted';

export interface BreakingPointResult {
  /** The knob searched, e.g. `pareto.scaleMs`, `cpu.duty`, `load.rate`. */
  knob: string;
  /** Unit of the knob's values (`ms`, `%`, `req/s`), or null when unitless. */
  knobUnit: string | null;
  /** The SLO the search tested against. */
  slo: { metric: SloResult['metric']; thresholdMs: number };
  /** Every measured step, in ascending intensity. */
  curve: IntensityPoint[];
  /** Highest intensity proven to pass and lowest proven to fail (either null when not proven). */
  bracket: { passing: number | null; failing: number | null };
  /** The lowest intensity whose P99 interval lies above the SLO (= bracket.failing); null when not found. */
  breakingPoint: number | null;
  /** Where the P99 point estimates cross the SLO, interpolated; for plots and prose, not a proven bound. */
  crossingEstimate?: number | null;
  status: BreakingPointStatus;
  /** The searched range [lo, hi] and the relative tolerance of the final bracket. */
  range?: { lo: number; hi: number };
  tolerance?: number;
  /** Intensities whose interval still straddled the SLO after re-measurement (the measurement's resolution); null when none. */
  boundary?: { lo: number; hi: number } | null;
  /** Measured steps (re-measurements included), the search's time budget and the time it took, ms. */
  steps?: number;
  budgetMs?: number;
  elapsedMs?: number;
  /** Why the search stopped early (a step's isolate failed, interrupted); absent when it did not. */
  statusReason?: string;
}

/** Pareto-distributed added latency: `x = scaleMs * U^(-1/alpha)`, optionally capped. */
export interface ParetoParams {
  scaleMs: number;
  alpha: number;
  /** Upper cap in ms, or null when uncapped. */
  capMs: number | null;
}

/** A Toxiproxy-style toxic as applied. */
export interface ToxicInfo {
  name: string;
  /** Toxiproxy toxic type: `latency`, `bandwidth`, `timeout`, `reset_peer`, `slow_close`, `limit_data`, `pareto`... */
  type: string;
  stream: 'upstream' | 'downstream';
  /** Probability in [0, 1] that a connection gets this toxic. */
  toxicity: number;
  /** The toxic's attributes as sent to the proxy (numbers in the toxic's own units, e.g. latency ms). */
  attributes: Record<string, number | string | boolean>;
  /** The proxy the toxic sits on. */
  proxy: string;
}

export interface CpuStressInfo {
  /** `worker` (in-process burner threads) or `stress-ng`. */
  backend: string;
  workers: number;
  /** Fraction of each period a burner spins, in [0, 1]. */
  duty: number;
  /** Human description, e.g. "2 worker burners at 75% duty". */
  description: string;
}

/** An interval during which a fault was active, relative to the scenario's start. */
export interface FaultWindow {
  startMs: number;
  endMs: number;
  label: string;
}

export interface ChaosInForce {
  /** Dependency latency distribution, or null when none. */
  pareto: ParetoParams | null;
  toxics: ToxicInfo[];
  /** CPU stress, or null when none. */
  cpuStress: CpuStressInfo | null;
  faultWindows: FaultWindow[];
  /** Function-target dependencies with injected latency and faults (`ctx.dependency`); absent when none. */
  dependencies?: DependencyChaosInfo[];
  /** Total injected delay per target call (percentiles beside the call latency) and dependency outcomes. */
  injected?: InjectedDelaySummary;
  /** How the chaos was applied, when a reader needs to know (e.g. a real Toxiproxy approximating Pareto latency). */
  note?: string;
}

export interface DependencyChaosInfo {
  name: string;
  /** Injected latency, or null when the dependency answers at once. */
  pareto: ParetoParams | null;
  errorRate: number;
  timeoutMs: number | null;
}

export interface InjectedDelaySummary {
  /** Distribution of the total injected delay per target call (never summarise it by a mean). */
  perCall: LatencySummary;
  dependencyCalls: number;
  dependencyErrors: number;
  dependencyTimeouts: number;
  /** Target calls that threw (any error). */
  failedCalls: number;
}

/** Latency within one window of the measured phase. */
export interface TimelineWindow {
  /** Window start, ms from the scenario's start. */
  tStartMs: number;
  /** Window length in ms. */
  durationMs: number;
  /** Calls completed in the window. */
  count: number;
  /** P99 of the window's calls in ms; null when the window has no calls. */
  p99Ms: number | null;
  /** Calls that failed in the window. */
  errors: number;
}

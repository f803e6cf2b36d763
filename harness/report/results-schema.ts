/**
 * results.json: the contract between a run and everything that reads it (HTML report,
 * JUnit, baseline comparison, shard merging). Versioned: readers check `schema` and
 * `version`; additions that old readers can ignore keep the version, anything that
 * changes the meaning of an existing field bumps it.
 *
 * Units: every latency is in milliseconds (floating point, microsecond resolution);
 * every timestamp is an ISO-8601 string; histograms are HdrHistogram V2 compressed base64
 * of values recorded in microseconds, so shards merge exactly.
 */

export const RESULTS_SCHEMA = 'slo-harness/results' as const;
export const RESULTS_VERSION = 1 as const;

export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

/** Why a run or scenario ended. */
export type CompletionStatus = 'complete' | 'interrupted' | 'error';

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  version: typeof RESULTS_VERSION;
  run: RunInfo;
  environment: EnvironmentInfo;
  scenarios: ScenarioResult[];
  /** Comparison against a previous run's results (`--baseline <file>`); absent when none was given. */
  baseline?: BaselineComparison;
}

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The seed every scenario without its own seed used; `--seed` replays it. */
  seed: number;
  /** The command line that produced this file (argv after `node`). */
  argv: string[];
  status: CompletionStatus;
  /** 0 pass, 1 SLO failed or finding, 2 usage/config error, 130/143 interrupted. */
  exitCode: number;
  /** Counts over all scenarios, for one-line summaries. */
  totals: { scenarios: number; passed: number; failed: number; inconclusive: number; findings: number };
}

export interface EnvironmentInfo {
  harnessVersion: string;
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemoryMb: number;
  hostname: string;
  /** Capabilities that fell back, and why (engine, tracer, proxy...). */
  fallbacks: Array<{ component: string; wanted: string; used: string; reason: string }>;
}

/** Summary of one latency distribution. */
export interface LatencySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** HdrHistogram V2 compressed base64, values in microseconds. */
  histogram: string;
  /** Percentile curve for plotting: (percentile, value) points on a log(1/(1-q)) scale. */
  percentiles: Array<{ percentile: number; valueMs: number }>;
}

/** A distribution-free confidence interval for a quantile from order statistics. */
export interface QuantileInterval {
  confidence: number;
  lowerMs: number;
  upperMs: number;
  /** 1-based ranks of the order statistics bounding the interval, or null when unbounded. */
  lowerRank: number | null;
  upperRank: number | null;
}

export interface SloResult {
  metric: 'p50' | 'p90' | 'p99' | 'p999' | 'max';
  thresholdMs: number;
  observedMs: number;
  sampleCount: number;
  interval: QuantileInterval;
  verdict: Verdict;
  /** When INCONCLUSIVE: the sample count at which this interval width would decide. */
  samplesToDecide: number | null;
  explanation: string;
}

export type FindingKind = 'slow' | 'timeout' | 'crash' | 'exit' | 'oom' | 'error';

export interface Finding {
  /** Content hash of the input (names its files). */
  id: string;
  kind: FindingKind;
  latencyMs: number;
  budgetMs: number;
  message: string | null;
  stack: string | null;
  input: {
    encoding: 'bytes' | 'utf8' | 'v8';
    size: number;
    /** Printable preview (control characters escaped), at most 256 characters. */
    preview: string;
    /** Hex of the first 64 bytes. */
    hexPreview: string;
    /** Path of the saved input, relative to the working directory. */
    file: string;
  };
  metaFile: string;
  replay: string;
  firstSeenAt: string;
  /** How many times this input (same content) was seen in the run. */
  occurrences: number;
  /** How the latency grows with the input's size when the input is pumped; absent when not fitted. */
  growth?: GrowthFit;
  /** Stacks sampled while this finding's calls ran; absent when no tracer ran. */
  stacks?: FindingStacks;
  /** Size in bytes (or serialised bytes) of the input before it was shrunk to `input.size`. */
  shrunkFrom?: number;
  /** Milliseconds from the scenario's start to this finding's first occurrence (places it on the timeline and among fault windows). */
  offsetMs?: number;
}

export interface ScenarioResult {
  name: string;
  description: string | null;
  file: string;
  seed: number;
  engine: { requested: string; used: string; note: string | null };
  input: { type: string; maxLength: number; corpusDir: string; seeds: number };
  timeoutMs: number;
  budget: { durationMs: number; calls: number | null };
  status: CompletionStatus;
  /** Why the scenario ended early (interrupt, error); null when it used its budget. */
  statusReason: string | null;
  durationMs: number;
  calls: number;
  callsPerSecond: number;
  /** Number of times the isolate was restarted after a hang, crash or exit. */
  restarts: number;
  latency: LatencySummary;
  slos: SloResult[];
  /** The scenario's overall verdict: FAIL if any SLO fails or any finding exists. */
  verdict: Verdict;
  findings: Finding[];
  perCallBudgetMs: number;
  /** Breaking-point search over a chaos intensity knob; absent when the scenario did not search. */
  breakingPoint?: BreakingPointResult;
  /** The chaos applied during the scenario; absent when none. */
  chaos?: ChaosInForce;
  /** Latency over time in consecutive windows of the measured phase; absent when not recorded. */
  timeline?: TimelineWindow[];
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

export type GrowthClass = 'polynomial' | 'exponential' | 'linear' | 'constant';

export interface GrowthFit {
  class: GrowthClass;
  /** The exponent k for `polynomial` (latency ~ n^k), the base b for `exponential` (latency ~ b^n), 1 for linear, 0 for constant. */
  exponentOrBase: number;
  /** Coefficient of determination of the fit, in [0, 1]. */
  r2: number;
  /** Measured latency (median of repeats, ms) for each pumped input size n (bytes). */
  points: Array<{ n: number; latencyMs: number }>;
  /** Input size (bytes) at which the fit predicts the per-call budget is crossed; null when never or unknown. */
  predictedCrossingSize: number | null;
}

/** A frame's weight and its share, in [0, 1], of the stack set's total weight. */
export interface FrameShare {
  frame: string;
  /** Samples (on-CPU stacks) or microseconds (off-CPU stacks). */
  count: number;
  share: number;
  /** `js`, `native`, `kernel`, `v8-stub` or `unknown`, when the tracer classifies frames. */
  kind?: string;
}

/** Where off-CPU time went during the violation (bpftrace scheduler tracing). */
export interface OffCpuSummary {
  /** Off-CPU time of the traced threads overlapping the window(s), ms. */
  totalMs: number;
  /** Of which runnable but not running (CPU contention), ms. */
  preemptedMs: number;
  /** Of which sleeping (I/O, timers, locks, injected delays), ms. */
  blockedMs: number;
  /** Frames with the most off-CPU microseconds. */
  topSelf: FrameShare[];
}

export interface FindingStacks {
  /** The tracer that produced the stacks: `bpftrace` or `v8-inspector`. */
  backend: string;
  /** Why this backend was used (e.g. a fallback reason), or null. */
  reason: string | null;
  /** Aggregated on-CPU folded stacks: frames root-first joined by `;`, with their sample counts. */
  folded: Array<{ stack: string; count: number }>;
  /** Frames with the most self samples, descending. */
  topSelf: FrameShare[];
  /** Frames with the most total (inclusive) samples, descending. */
  topTotal: FrameShare[];
  /** Fraction of the violation window the thread was on CPU, in [0, 1]; null when the window is too short to say. */
  onCpuRatio: number | null;
  /** Samples attributed to the violation window(s). */
  samples?: number;
  /** Length of the violation window(s), ms. */
  windowMs?: number;
  /** Off-CPU breakdown, when the backend traced the scheduler. */
  offCpu?: OffCpuSummary;
  /** Per-frame inclusive share during the violation vs during baseline calls (both in [0, 1]); null when no baseline was sampled. */
  diff: Array<{ frame: string; violationShare: number; baselineShare: number }> | null;
}

/** How one scenario x SLO moved against the baseline run. */
export type BaselineChange = 'regressed' | 'improved' | 'unchanged' | 'added' | 'removed';

/** One SLO's measurement in one run (for comparisons). */
export interface SloSnapshot {
  observedMs: number;
  lowerMs: number;
  upperMs: number;
  thresholdMs: number;
  sampleCount: number;
  verdict: Verdict;
}

export interface SloComparison {
  scenario: string;
  metric: SloResult['metric'];
  current: SloSnapshot | null;
  baseline: SloSnapshot | null;
  /** current - baseline observed value, ms; null when either side is missing. */
  deltaMs: number | null;
  /** (current - baseline) / baseline, e.g. 0.25 for +25%; null when either side is missing or baseline is 0. */
  deltaRatio: number | null;
  /** Whether the two confidence intervals overlap; null when either side is missing. */
  intervalsOverlap: boolean | null;
  /** `regressed`/`improved` only when the intervals do not overlap; `unchanged` means they overlap. */
  change: BaselineChange;
}

export interface FindingRef {
  scenario: string;
  id: string;
  kind: FindingKind;
  latencyMs: number;
}

export interface BaselineComparison {
  baselineRunId: string;
  baselineStartedAt: string;
  /** Path of the baseline results file as given, or null when compared in memory. */
  baselineFile: string | null;
  slos: SloComparison[];
  /** Findings in this run whose (scenario, id) is not in the baseline. */
  newFindings: FindingRef[];
  /** Findings of the baseline whose (scenario, id) is not in this run. */
  fixedFindings: FindingRef[];
  /** Findings present in both runs. */
  persistingFindings: number;
}

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
  /** Total dependency delay injected into this finding's call (ms), beside `latencyMs`; absent without dependency chaos. */
  injectedMs?: number;
  /** Id of the violation as the fuzzer found it, when this finding was minimised (the original is kept under that id). */
  originalId?: string;
  /** First-call latencies (ms, one per probe worker) that confirmed the finding; absent when not confirmed by the probe. */
  firstCallLatenciesMs?: number[];
  /**
   * Ids of other violations of this run with the same shape (they differ only in how often a
   * segment repeats: search/families.ts). They were not minimised separately; their inputs
   * stay in the corpus's violations/ folder.
   */
  variants?: string[];
}

/** What post-processing did with the run's findings (pipeline/minimise.ts). */
export interface MinimisationSummary {
  /** Slow or timeout findings whose median first-call latency exceeded the budget in the probe. */
  confirmed: number;
  /** Slow findings that did not reproduce on first calls: dropped from `findings`, moved to the corpus's interesting inputs. */
  unconfirmed: number;
  /** Confirmed findings replaced by a smaller violating input. */
  minimised: number;
  /** Findings left as found (crashes, time cap reached, probe failure). */
  keptRaw: number;
  /** Wall time spent confirming, shrinking and growth fitting, ms. */
  timeSpentMs: number;
  /** First calls per measurement (probe workers). */
  probeWorkers: number;
  /** Set when the probe could not run; findings are then left as found. */
  error: string | null;
  /** Findings folded into a confirmed finding of the same shape (its `variants`) instead of being minimised again. */
  variants?: number;
  /**
   * Slow candidates left unexamined when the time cap ran out (or the run was interrupted)
   * after a slow finding had been confirmed: not listed as findings; their inputs stay in the
   * corpus's violations/ folder.
   */
  unexamined?: string[];
}

/** One saved violation replayed by `run --regression`. */
export interface RegressionEntry {
  id: string;
  kind: FindingKind;
  metaFile: string;
  /** First-call latencies, one per probe worker (ms). */
  latenciesMs: number[];
  medianMs: number;
  /** The per-call budget it is judged against (ms). */
  budgetMs: number;
  status: 'still-failing' | 'fixed' | 'error';
  detail: string;
}

export interface RegressionSummary {
  replayed: number;
  stillFailing: number;
  fixed: number;
  errors: number;
  entries: RegressionEntry[];
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
  /** Confirmation and minimisation of the findings; absent when nothing was post-processed. */
  minimisation?: MinimisationSummary;
  /** Saved violations replayed by `run --regression`; absent otherwise. */
  regression?: RegressionSummary;
  /**
   * The exploration phase before the measured one (engine/phases.ts): instrumented calls,
   * never part of `calls`, `latency` or the SLO verdicts. Absent when the budget was too
   * small to explore.
   */
  exploration?: ExplorationSummary;
  /** HTTP service figures (service scenarios only): load, errors and uncorrected latency beside the corrected `latency`. */
  service?: ServiceStats;
  /**
   * Wall time of the measured phase spent in calls that timed out or were still running when
   * it ended; present when measured and above 0. Over 1% of the phase, no SLO verdict is PASS
   * (harness/measure/stall.ts).
   */
  stall?: StallSummary;
  /** A function target paced at `slo.rate`: corrected (`latency`, the verdicts') and raw figures. Absent: calls ran back to back. */
  paced?: PacedCallsSummary;
}

/** Time the measured phase spent in calls that hung. */
export interface StallSummary {
  /** Wall time in calls that timed out or were still running at the end of the phase, ms. */
  stalledMs: number;
  /** Wall time of the measured phase, ms. */
  phaseWallMs: number;
  /** stalledMs / phaseWallMs, in [0, 1]. */
  share: number;
}

/** Latency figures of a distribution, ms. */
export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** A function target driven at a fixed rate (`slo.rate`), as the open-loop load drives a service. */
export interface PacedCallsSummary {
  /** Calls per second asked for. */
  rate: number;
  /** Latency from each call's intended start (start + i/rate): what the verdicts judge, the same as `latency`. */
  corrected: LatencyFigures;
  /** Latency from each call's actual start, as a back-to-back loop measures it: the gap to `corrected` is coordinated omission. Null when not recorded. */
  raw: LatencyFigures | null;
}

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
  /**
   * Aggregated on-CPU folded stacks: frames root-first joined by `;`, with their sample counts.
   * Capped when written (harness/report/stack-cap.ts): the heaviest MAX_FOLDED_STACKS stacks
   * are kept, in descending count; the rest are summed in `foldedOther`.
   */
  folded: Array<{ stack: string; count: number }>;
  /** Stacks dropped by the cap and their summed samples; absent when nothing was dropped. */
  foldedOther?: { stacks: number; count: number };
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
  /**
   * Per-frame inclusive share during the violation vs during baseline calls (both in [0, 1]); null when no baseline was sampled.
   * Capped when written to the MAX_DIFF_FRAMES frames whose share changed most; `topSelf`/`topTotal` to MAX_FRAME_ROWS.
   */
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

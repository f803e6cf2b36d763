/**
 * The scenario file API: what an SRE writes. A scenario pairs a target with its inputs,
 * an SLO and a budget. Chaos and load fields grow here as the harness grows; every field
 * is validated at the edge by `schema.ts`, which turns these loose user-facing shapes
 * into the normalised {@link ResolvedScenario} the rest of the harness consumes.
 */
import type { Arbitrary } from 'fast-check';
import type { ResolvedServiceScenario, ServiceScenarioSpec } from './service-types.ts';

export type * from './service-types.ts';
import type { ChaosSpec, BreakingPointSpec, FunctionDependencySpec, ResolvedChaos, ResolvedBreakingPoint } from './chaos-types.ts';

export type * from './chaos-types.ts';

/** A duration: a number of milliseconds, or a string such as `'500us'`, `'2ms'`, `'1.5s'`, `'1m'`. */
export type Duration = number | `${number}${'ns' | 'us' | 'µs' | 'ms' | 's' | 'm'}`;

/** What the harness hands a target besides its input. */
export interface TargetContext {
  /** The scenario's run seed (the same for every call of a run). */
  readonly seed: number;
  /** 0-based index of this call within its isolate's life. */
  readonly iteration: number;
  /**
   * Calls a dependency declared in the scenario's `dependencies`: waits its injected
   * (seeded Pareto) delay, then rejects with a DependencyError (probability `errorRate`) or
   * a DependencyTimeout (delay over `timeout`), or resolves to its `call(request)`.
   */
  dependency<T = unknown>(name: string, request?: unknown): Promise<T>;
}

/**
 * A function target: a protocol parser, a policy evaluator. It runs inside an isolated
 * worker, never on the harness's own event loop. A slow return, a hang, a throw, a
 * `process.exit` or an out-of-memory are all findings.
 */
export type TargetFunction<I = Buffer> = (input: I, ctx: TargetContext) => unknown;

/** The SLO on per-call latency: k6-style one-line thresholds. */
export interface SloSpec {
  p50?: Duration;
  p90?: Duration;
  p99?: Duration;
  p999?: Duration;
  max?: Duration;
  /**
   * A single call slower than this is a finding: its input is saved to
   * `corpora/<scenario>/violations/`. Defaults to 10x the largest percentile threshold.
   */
  perCall?: Duration;
  /**
   * Function targets only: drive the target at this many calls per second instead of
   * back to back (0 < rate <= 1e6). Call i is scheduled at start + i/rate and its latency
   * counts from that intended start, so a call that made later calls wait is charged for
   * their wait too (coordinated-omission corrected, like the open-loop load of a service).
   * When the loop falls behind, the next call starts at once and still counts from its
   * intended time. The corrected latencies decide the verdicts; the raw call times are
   * reported beside them (`paced` in results.json). Harness pauses (making the next input,
   * re-running a slow input to confirm it) shift the schedule and are not counted as lag;
   * the per-call budget and the engine judge each call's raw time.
   */
  rate?: number;
}

/** The run budget: whichever limit is reached first ends the scenario. */
export interface BudgetSpec {
  /** Wall-clock time for the measured fuzzing phase. Default `'10s'`. */
  duration?: Duration;
  /** Maximum number of target calls. */
  calls?: number;
}

/** Inputs delivered as raw bytes (`Buffer`), the shape Jazzer.js fuzz targets take. */
export interface BytesInputSpec {
  type: 'bytes';
  /** Inputs longer than this are never generated. Default 4096. */
  maxLength?: number;
  /** Tokens the mutator may splice in (keywords, delimiters of the format). */
  dictionary?: string[];
  /** Seed corpus folder; defaults to `corpora/<scenario name>` next to `scenarios/`. */
  corpus?: string;
  /**
   * Packages whose code is the target, for coverage-guided exploration (e.g. `['yaml']`).
   * Default: the packages the scenario file imports by name (except fast-check and slo-harness).
   */
  coverageInclude?: string[];
}

/** Inputs delivered as strings (UTF-8 decoded from the mutated bytes). */
export interface StringInputSpec extends Omit<BytesInputSpec, 'type'> {
  type: 'string';
}

/**
 * Structured inputs drawn from a fast-check arbitrary. Values are saved with the
 * structured-clone serialiser, so anything structured clone supports can be replayed.
 */
export interface ArbitraryInputSpec<T = unknown> {
  type: 'arbitrary';
  arbitrary: Arbitrary<T>;
  /** Upper bound on a generated value's serialised size in bytes. Default 65536. */
  maxLength?: number;
  corpus?: string;
  /** As for bytes inputs: packages whose code is the target, for coverage. */
  coverageInclude?: string[];
}

export type InputSpec = BytesInputSpec | StringInputSpec | ArbitraryInputSpec;

/** The value a target receives for an input spec. */
export type InputOf<S extends InputSpec> = S extends { type: 'bytes' }
  ? Buffer
  : S extends { type: 'string' }
    ? string
    : S extends ArbitraryInputSpec<infer T>
      ? T
      : never;

export type EngineName = 'builtin' | 'jazzer' | 'auto';

/** A function-target scenario as written in a scenario file. */
export interface FunctionScenarioSpec<S extends InputSpec = InputSpec> {
  /** Unique, file-name safe: letters, digits, `-`, `_`, `.`. Names the corpus folder. */
  name: string;
  description?: string;
  target: TargetFunction<InputOf<S>>;
  input: S;
  slo: SloSpec;
  /** Hard per-call watchdog: a call still running after this is killed and recorded. Default `'2s'`. */
  timeout?: Duration;
  budget?: BudgetSpec;
  /** Default seed when the CLI gives none. */
  seed?: number;
  engine?: EngineName;
  /** Memory cap for the target's isolate (old generation, MiB). Default 512. */
  memoryLimitMb?: number;
  /**
   * Errors the target is allowed to throw (a parser rejecting malformed input). Any other
   * throw is a finding. Evaluated inside the isolate.
   */
  expectedError?: (error: unknown) => boolean;
  /** Dependencies the target reaches through `ctx.dependency(name)`, with injected latency and faults. */
  dependencies?: Record<string, FunctionDependencySpec>;
  /** CPU stress during the measured phase. */
  chaos?: ChaosSpec;
  /** Search the chaos intensity at which P99 breaks the SLO (after the measured phase). */
  breakingPoint?: BreakingPointSpec;
}

/** Percentile metrics an SLO can name, in display order. */
export const SLO_METRICS = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type SloMetric = (typeof SLO_METRICS)[number];

/** The quantile each metric denotes (`max` is the 100th percentile). */
export const METRIC_QUANTILE: Record<SloMetric, number> = {
  p50: 0.5,
  p90: 0.9,
  p99: 0.99,
  p999: 0.999,
  max: 1,
};

export interface SloThreshold {
  metric: SloMetric;
  /** Threshold in milliseconds. */
  thresholdMs: number;
}

/**
 * A scenario as written in a scenario file: a function target (`target`) or an HTTP service
 * (`service`, see service-types.ts).
 */
export type ScenarioSpec<S extends InputSpec = InputSpec> = FunctionScenarioSpec<S> | ServiceScenarioSpec<S>;

/** A scenario after validation and normalisation: every default filled, every duration in ms. */
export type ResolvedScenario = ResolvedFunctionScenario | ResolvedServiceScenario;

/** Fields every resolved scenario has, whatever its target kind. */
export interface ResolvedScenarioBase {
  name: string;
  description?: string;
  /** Absolute path of the scenario file (the isolate imports it again to reach the target). */
  file: string;
  /** Index of the scenario in the file's default export (a file may export an array). */
  index: number;
  input: {
    type: InputSpec['type'];
    maxLength: number;
    dictionary: string[];
    /** Absolute path of the corpus folder. */
    corpusDir: string;
    /** Packages whose code counts as the target for coverage; absent: the scenario file's bare imports. */
    coverageInclude?: string[];
  };
  slo: {
    thresholds: SloThreshold[];
    perCallMs: number;
    /** Calls per second of a paced function target (`slo.rate`); absent: calls run back to back. */
    rate?: number;
  };
  timeoutMs: number;
  budget: { durationMs: number; calls: number | null };
  seed: number | null;
  engine: EngineName;
  /** Memory cap of a function target's isolate (MiB); a service scenario carries the default and ignores it. */
  memoryLimitMb: number;
}

/** A function-target scenario after validation (plain data: it crosses into the isolate). */
export interface ResolvedFunctionScenario extends ResolvedScenarioBase {
  kind: 'function';
  /** Dependency and CPU chaos; absent when the scenario declares none. */
  chaos?: ResolvedChaos;
  /** Breaking-point search; absent when the scenario declares none. */
  breakingPoint?: ResolvedBreakingPoint;
}

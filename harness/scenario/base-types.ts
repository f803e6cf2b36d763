/**
 * The parts every scenario shares, whatever its target kind: durations, the SLO, the budget,
 * the input spec, and the resolved fields common to every scenario. The chaos, service and
 * function shapes build on these (one way: this file imports none of them); `types.ts` is the
 * public union that re-exports it all.
 */
import type { Arbitrary } from 'fast-check';
import type { DurationString } from '../core/duration.ts';

/**
 * A duration: a number with its unit, such as `'500us'`, `'2ms'`, `'1.5s'`, `'1m'` (units ns,
 * us, µs, ms, s, m; 1us to 1 day). A bare number (`30`) is refused, here by the type checker
 * and at load time by the schema: write `'30ms'` or `'30s'`.
 */
export type Duration = DurationString;

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

/**
 * Engine names a scenario or `--engine` may ask for: every registered input engine
 * (engine/registry.ts checks its ENGINES against this list at compile time) plus `auto`.
 */
export const ENGINE_NAMES = ['builtin', 'jazzer', 'auto'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** How a message lists the valid engine names: `use "builtin", "jazzer" or "auto"`. */
export function engineNamesHint(): string {
  const quoted = ENGINE_NAMES.map((name) => JSON.stringify(name));
  return `use ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
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

/** The fields every scenario has, whatever its target, as written in a scenario file. */
export interface ScenarioSpecBase<S extends InputSpec = InputSpec> {
  /** Unique, file-name safe: letters, digits, `-`, `_`, `.`. Names the corpus folder. */
  name: string;
  description?: string;
  input: S;
  slo: SloSpec;
  /** The per-call (or per-request) watchdog. Default `'2s'`. */
  timeout?: Duration;
  budget?: BudgetSpec;
  /** Default seed when the CLI gives none. */
  seed?: number;
  engine?: EngineName;
}

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

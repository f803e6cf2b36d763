/**
 * results.json: the contract between a run and everything that reads it (HTML report,
 * JUnit, baseline comparison, shard merging). Versioned: readers check `schema` and
 * `version`; additions that old readers can ignore keep the version, anything that
 * changes the meaning of an existing field bumps it.
 *
 * Units: every latency is in milliseconds (floating point, microsecond resolution);
 * every timestamp is an ISO-8601 string; histograms are HdrHistogram V2 compressed base64
 * of values recorded in microseconds, so shards merge exactly.
 *
 * This file has the run and scenario levels and exports every type of the file; the parts are
 * in results-slo.ts, results-findings.ts, results-sections.ts and results-baseline.ts.
 */

import type { BaselineComparison } from './results-baseline.ts';
import type { Finding, MinimisationSummary, RegressionSummary } from './results-findings.ts';
import type { BreakingPointResult, ChaosInForce, ExplorationSummary, ServiceStats, TimelineWindow } from './results-sections.ts';
import type { LatencySummary, SloResult, Verdict } from './results-slo.ts';

export type * from './results-baseline.ts';
export type * from './results-findings.ts';
export type * from './results-sections.ts';
export type * from './results-slo.ts';

export const RESULTS_SCHEMA = 'slo-harness/results' as const;
export const RESULTS_VERSION = 1 as const;

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

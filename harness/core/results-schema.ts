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
 * Each part is defined once, as a zod schema, and its type is inferred from it: the
 * validator of files at the edge (report/results-validate.ts) uses the same schemas.
 * This file has the run and scenario levels and exports every type and schema of the file;
 * the parts are in results-slo.ts, results-findings.ts, results-sections.ts, results-chaos.ts
 * and results-baseline.ts.
 */
import { z } from 'zod';
import { baselineComparisonSchema } from './results-baseline.ts';
import { chaosInForceSchema } from './results-chaos.ts';
import { findingSchema, minimisationSummarySchema, regressionSummarySchema } from './results-findings.ts';
import { breakingPointResultSchema, explorationSummarySchema, latencyFiguresSchema, serviceStatsSchema, timelineWindowSchema } from './results-sections.ts';
import { countField, latencySummarySchema, msField, nullableString, sloResultSchema, verdictSchema } from './results-slo.ts';

export * from './results-baseline.ts';
export * from './results-chaos.ts';
export * from './results-findings.ts';
export * from './results-sections.ts';
export * from './results-slo.ts';

export const RESULTS_SCHEMA = 'slo-harness/results' as const;
export const RESULTS_VERSION = 1 as const;

/** Why a run or scenario ended. */
export const completionStatusSchema = z.enum(['complete', 'interrupted', 'error']);
/** Why a run or scenario ended. */
export type CompletionStatus = z.infer<typeof completionStatusSchema>;

export const runInfoSchema = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: msField,
  /** The seed every scenario without its own seed used; `--seed` replays it. */
  seed: z.number(),
  /** The command line that produced this file (argv after `node`). */
  argv: z.array(z.string()),
  status: completionStatusSchema,
  /** 0 pass, 1 SLO failed or finding, 2 usage/config error, 130/143 interrupted. */
  exitCode: z.number().int(),
  /** Counts over all scenarios, for one-line summaries. */
  totals: z.object({ scenarios: countField, passed: countField, failed: countField, inconclusive: countField, findings: countField }),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

export const environmentInfoSchema = z.object({
  harnessVersion: z.string(),
  node: z.string(),
  platform: z.string(),
  arch: z.string(),
  cpus: countField,
  cpuModel: z.string(),
  totalMemoryMb: z.number(),
  hostname: z.string(),
  /** Capabilities that fell back, and why (engine, tracer, proxy...). */
  fallbacks: z.array(z.object({ component: z.string(), wanted: z.string(), used: z.string(), reason: z.string() })),
});
export type EnvironmentInfo = z.infer<typeof environmentInfoSchema>;

/** Time the measured phase spent in calls that hung. */
export const stallSummarySchema = z.object({
  /** Wall time in calls that timed out or were still running at the end of the phase, ms. */
  stalledMs: msField,
  /** Wall time of the measured phase, ms. */
  phaseWallMs: msField,
  /** stalledMs / phaseWallMs, in [0, 1]. */
  share: z.number().min(0).max(1),
});
/** Time the measured phase spent in calls that hung. */
export type StallSummary = z.infer<typeof stallSummarySchema>;

/** Latency figures of a distribution, ms. */
export type LatencyFigures = z.infer<typeof latencyFiguresSchema>;

/** A function target driven at a fixed rate (`slo.rate`), as the open-loop load drives a service. */
export const pacedCallsSummarySchema = z.object({
  /** Calls per second asked for. */
  rate: z.number().positive(),
  /** Latency from each call's intended start (start + i/rate): what the verdicts judge, the same as `latency`. */
  corrected: latencyFiguresSchema,
  /** Latency from each call's actual start, as a back-to-back loop measures it: the gap to `corrected` is coordinated omission. Null when not recorded. */
  raw: latencyFiguresSchema.nullable(),
});
/** A function target driven at a fixed rate (`slo.rate`), as the open-loop load drives a service. */
export type PacedCallsSummary = z.infer<typeof pacedCallsSummarySchema>;

export const scenarioResultSchema = z.object({
  name: z.string(),
  description: nullableString,
  file: z.string(),
  seed: z.number(),
  engine: z.object({ requested: z.string(), used: z.string(), note: nullableString }),
  input: z.object({ type: z.string(), maxLength: z.number(), corpusDir: z.string(), seeds: countField }),
  timeoutMs: msField,
  budget: z.object({ durationMs: msField, calls: z.number().nullable() }),
  status: completionStatusSchema,
  /** Why the scenario ended early (interrupt, error); null when it used its budget. */
  statusReason: nullableString,
  durationMs: msField,
  calls: countField,
  callsPerSecond: z.number(),
  /** Number of times the isolate was restarted after a hang, crash or exit. */
  restarts: countField,
  latency: latencySummarySchema,
  slos: z.array(sloResultSchema),
  /** The scenario's overall verdict: FAIL if any SLO fails or any finding exists. */
  verdict: verdictSchema,
  findings: z.array(findingSchema),
  perCallBudgetMs: msField,
  /** Breaking-point search over a chaos intensity knob; absent when the scenario did not search. */
  breakingPoint: breakingPointResultSchema.optional(),
  /** The chaos applied during the scenario; absent when none. */
  chaos: chaosInForceSchema.optional(),
  /** Latency over time in consecutive windows of the measured phase; absent when not recorded. */
  timeline: z.array(timelineWindowSchema).optional(),
  /** Confirmation and minimisation of the findings; absent when nothing was post-processed. */
  minimisation: minimisationSummarySchema.optional(),
  /** Saved violations replayed by `run --regression`; absent otherwise. */
  regression: regressionSummarySchema.optional(),
  /**
   * The exploration phase before the measured one (engine/phases.ts): instrumented calls,
   * never part of `calls`, `latency` or the SLO verdicts. Absent when the budget was too
   * small to explore.
   */
  exploration: explorationSummarySchema.optional(),
  /** HTTP service figures (service scenarios only): load, errors and uncorrected latency beside the corrected `latency`. */
  service: serviceStatsSchema.optional(),
  /**
   * Wall time of the measured phase spent in calls that timed out or were still running when
   * it ended; present when measured and above 0. Over 1% of the phase, no SLO verdict is PASS
   * (harness/measure/stall.ts).
   */
  stall: stallSummarySchema.optional(),
  /** A function target paced at `slo.rate`: corrected (`latency`, the verdicts') and raw figures. Absent: calls ran back to back. */
  paced: pacedCallsSummarySchema.optional(),
});
export type ScenarioResult = z.infer<typeof scenarioResultSchema>;

/** The whole results.json. */
export const resultsFileSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  run: runInfoSchema,
  environment: environmentInfoSchema,
  scenarios: z.array(scenarioResultSchema),
  /** Comparison against a previous run's results (`--baseline <file>`); absent when none was given. */
  baseline: baselineComparisonSchema.optional(),
});
export type ResultsFile = z.infer<typeof resultsFileSchema>;

/**
 * results.json: the comparison of a run against a baseline run (`run --baseline`;
 * results-schema.ts has the whole file).
 */
import { z } from 'zod';
import { findingKindSchema } from './results-findings.ts';
import { countField, msField, nullableString, sloMetricSchema, verdictSchema } from './results-slo.ts';

/** How one scenario x SLO moved against the baseline run. */
export const baselineChangeSchema = z.enum(['regressed', 'improved', 'unchanged', 'added', 'removed']);
/** How one scenario x SLO moved against the baseline run. */
export type BaselineChange = z.infer<typeof baselineChangeSchema>;

/** One SLO's measurement in one run (for comparisons). */
export const sloSnapshotSchema = z.object({
  observedMs: msField,
  lowerMs: msField,
  upperMs: msField,
  thresholdMs: msField,
  sampleCount: countField,
  verdict: verdictSchema,
});
/** One SLO's measurement in one run (for comparisons). */
export type SloSnapshot = z.infer<typeof sloSnapshotSchema>;

export const sloComparisonSchema = z.object({
  scenario: z.string(),
  metric: sloMetricSchema,
  current: sloSnapshotSchema.nullable(),
  baseline: sloSnapshotSchema.nullable(),
  /** current - baseline observed value, ms; null when either side is missing. */
  deltaMs: z.number().nullable(),
  /** (current - baseline) / baseline, e.g. 0.25 for +25%; null when either side is missing or baseline is 0. */
  deltaRatio: z.number().nullable(),
  /** Whether the two confidence intervals overlap; null when either side is missing. */
  intervalsOverlap: z.boolean().nullable(),
  /** `regressed`/`improved` only when the intervals do not overlap; `unchanged` means they overlap. */
  change: baselineChangeSchema,
});
export type SloComparison = z.infer<typeof sloComparisonSchema>;

export const findingRefSchema = z.object({ scenario: z.string(), id: z.string(), kind: findingKindSchema, latencyMs: msField });
export type FindingRef = z.infer<typeof findingRefSchema>;

export const baselineComparisonSchema = z.object({
  baselineRunId: z.string(),
  baselineStartedAt: z.string(),
  /** Path of the baseline results file as given, or null when compared in memory. */
  baselineFile: nullableString,
  slos: z.array(sloComparisonSchema),
  /** Findings in this run whose (scenario, id) is not in the baseline. */
  newFindings: z.array(findingRefSchema),
  /** Findings of the baseline whose (scenario, id) is not in this run. */
  fixedFindings: z.array(findingRefSchema),
  /** Findings present in both runs. */
  persistingFindings: countField,
});
export type BaselineComparison = z.infer<typeof baselineComparisonSchema>;

/**
 * results.json: verdicts and the latency figures an SLO is judged on (results-schema.ts has
 * the whole file). Latencies in ms.
 *
 * Each part of results.json is defined once, as a zod schema; its TypeScript type is inferred
 * from it (report/results-validate.ts checks files with the same schemas). The schemas are
 * plain objects: validation ignores keys it does not know, and the reader keeps them.
 */
import { z } from 'zod';

/** A latency or duration, ms (floating point). */
export const msField = z.number();
/** A count of things: a non-negative integer. */
export const countField = z.number().int().nonnegative();
export const nullableString = z.string().nullable();

export const verdictSchema = z.enum(['PASS', 'FAIL', 'INCONCLUSIVE']);
export type Verdict = z.infer<typeof verdictSchema>;

export const sloMetricSchema = z.enum(['p50', 'p90', 'p99', 'p999', 'max']);

/** Summary of one latency distribution. */
export const latencySummarySchema = z.object({
  count: countField,
  minMs: msField,
  p50Ms: msField,
  p90Ms: msField,
  p99Ms: msField,
  p999Ms: msField,
  maxMs: msField,
  /** HdrHistogram V2 compressed base64, values in microseconds. */
  histogram: z.string(),
  /** Percentile curve for plotting: (percentile, value) points on a log(1/(1-q)) scale. */
  percentiles: z.array(z.object({ percentile: z.number(), valueMs: msField })),
});
/** Summary of one latency distribution. */
export type LatencySummary = z.infer<typeof latencySummarySchema>;

/** A distribution-free confidence interval for a quantile from order statistics. */
export const quantileIntervalSchema = z.object({
  confidence: z.number(),
  lowerMs: msField,
  upperMs: msField,
  /** 1-based ranks of the order statistics bounding the interval, or null when unbounded. */
  lowerRank: z.number().nullable(),
  upperRank: z.number().nullable(),
});
/** A distribution-free confidence interval for a quantile from order statistics. */
export type QuantileInterval = z.infer<typeof quantileIntervalSchema>;

export const sloResultSchema = z.object({
  metric: sloMetricSchema,
  thresholdMs: msField,
  observedMs: msField,
  sampleCount: countField,
  interval: quantileIntervalSchema,
  verdict: verdictSchema,
  /** When INCONCLUSIVE: the sample count at which this interval width would decide. */
  samplesToDecide: z.number().nullable(),
  explanation: z.string(),
});
export type SloResult = z.infer<typeof sloResultSchema>;

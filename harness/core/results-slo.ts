/**
 * results.json: verdicts and the latency figures an SLO is judged on (results-schema.ts has
 * the whole file). Latencies in ms.
 */

export type Verdict = 'PASS' | 'FAIL' | 'INCONCLUSIVE';

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

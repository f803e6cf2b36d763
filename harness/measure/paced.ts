/**
 * Figures of a function target paced at `slo.rate` (measure/call-schedule.ts): the
 * coordinated-omission corrected distribution (what the verdicts judge) beside the raw one.
 */
import type { LatencyFigures, PacedCallsSummary } from '../core/results-schema.ts';
import { maxUs, valueAtQuantileMs, type Histogram } from './histogram.ts';

export function latencyFigures(h: Histogram): LatencyFigures {
  return { p50Ms: valueAtQuantileMs(h, 0.5), p99Ms: valueAtQuantileMs(h, 0.99), maxMs: h.totalCount > 0 ? maxUs(h) / 1000 : 0 };
}

/** `raw` null: the isolate did not record raw times (its counts have no second region). */
export function pacedSummary(rate: number, corrected: Histogram, raw: Histogram | null): PacedCallsSummary {
  return { rate, corrected: latencyFigures(corrected), raw: raw && raw.totalCount > 0 ? latencyFigures(raw) : null };
}

/**
 * The percentile curve of a latency distribution, for HDR-style plots: the `percentiles`
 * points the run wrote (consistent with its summary), else a curve decoded from the
 * encoded HDR histogram (values in microseconds), else the summary fields.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from '../../core/results-schema.ts';

/** A point of the curve: quantile q in [0, 1) (or 1 for the maximum) and its latency in ms. */
export interface QuantilePoint {
  q: number;
  valueMs: number;
}

export interface PercentileCurve {
  points: QuantilePoint[];
  /** Where the points came from, shown under the chart. */
  source: 'histogram' | 'percentiles' | 'summary';
  /** Total samples, which bounds how far into the tail the curve is meaningful. */
  count: number;
}

/** Points per halving of (1 - q), as HdrHistogram's percentile output does. */
const TICKS_PER_HALF = 5;

/** Quantiles 1 - 0.5^(i/5) up to the last one the sample count supports. */
export function tailQuantiles(count: number): number[] {
  const qs: number[] = [];
  const limit = count > 0 ? 1 - 1 / count : 0.999;
  for (let i = 0; i < 400; i++) {
    const q = 1 - 0.5 ** (i / TICKS_PER_HALF);
    if (q > limit) break;
    qs.push(q);
  }
  return qs;
}

function fromHistogram(encoded: string): PercentileCurve | null {
  if (encoded.length === 0) return null;
  let histogram: ReturnType<typeof hdr.decodeFromCompressedBase64> | null = null;
  try {
    histogram = hdr.decodeFromCompressedBase64(encoded);
    const count = histogram.totalCount;
    if (count === 0) return null;
    const points = tailQuantiles(count).map((q) => ({ q, valueMs: histogram!.getValueAtPercentile(q * 100) / 1000 }));
    points.push({ q: 1, valueMs: histogram.maxValue / 1000 });
    return { points, source: 'histogram', count };
  } catch {
    return null;
  } finally {
    histogram?.destroy();
  }
}

/** The `percentiles` field may be written as percent (99.9) or as a fraction (0.999). */
function fromPercentileList(latency: LatencySummary): PercentileCurve | null {
  const list = latency.percentiles.filter((p) => Number.isFinite(p.percentile) && Number.isFinite(p.valueMs));
  if (list.length < 2) return null;
  const asPercent = list.some((p) => p.percentile > 1);
  const points = list
    .map((p) => ({ q: asPercent ? p.percentile / 100 : p.percentile, valueMs: p.valueMs }))
    .filter((p) => p.q >= 0 && p.q <= 1)
    .sort((a, b) => a.q - b.q);
  return points.length >= 2 ? { points, source: 'percentiles', count: latency.count } : null;
}

function fromSummary(latency: LatencySummary): PercentileCurve {
  const points: QuantilePoint[] = [
    { q: 0, valueMs: latency.minMs },
    { q: 0.5, valueMs: latency.p50Ms },
    { q: 0.9, valueMs: latency.p90Ms },
    { q: 0.99, valueMs: latency.p99Ms },
    { q: 0.999, valueMs: latency.p999Ms },
    { q: 1, valueMs: latency.maxMs },
  ];
  return { points, source: 'summary', count: latency.count };
}

export function percentileCurve(latency: LatencySummary): PercentileCurve {
  return fromPercentileList(latency) ?? fromHistogram(latency.histogram) ?? fromSummary(latency);
}

/**
 * Position of a quantile on the HDR x-axis: log10(1 / (1 - q)), so 90% is 1, 99% is 2 ...
 * The maximum (q = 1) is placed one sample past the last supported quantile.
 */
export function quantileAxisPosition(q: number, count: number): number {
  if (q >= 1) return Math.log10(Math.max(count, 10));
  return Math.log10(1 / (1 - q));
}

/** Axis label for a position: 0 -> "0%", 1 -> "90%", 2 -> "99%", 3 -> "99.9%". */
export function quantileAxisLabel(position: number): string {
  if (position <= 0) return '0%';
  const digits = Math.max(0, Math.round(position) - 2);
  return `${(100 * (1 - 10 ** -position)).toFixed(digits)}%`;
}

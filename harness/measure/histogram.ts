/**
 * Latency histograms: a thin, typed layer over hdr-histogram-js in WebAssembly mode.
 *
 * Every histogram in slo-harness records integer MICROSECONDS from 1 µs to 1 hour with 3
 * significant digits, so histograms from any isolate, phase or shard merge exactly. The hot
 * loop records with `h.recordValue(msToUs(ms))` on the raw library object: no wrapper call
 * per sample (WASM recording costs ~25 ns here).
 *
 * Semantics worth knowing (measured on hdr-histogram-js 3.0.1, WASM):
 *  - `getValueAtPercentile(100 * k / n)` is the k-th smallest value, reported as the HIGHEST
 *    value of its bucket (a bucket spans 1/1024 to 1/2048 of its value above 2048 µs).
 *  - A live histogram's `minNonZeroValue` / `maxValue` are the exact recorded extremes; after
 *    encode/decode they become bucket edges. An empty histogram's `minNonZeroValue` is 2^64.
 *  - WASM recording above `highestTrackableValue` does not throw: values are clamped here.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  initWebAssembly,
  initWebAssemblySync,
} from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../core/results-schema.ts';

export type { Histogram };

/** Smallest recordable latency (1 µs): sub-microsecond calls are recorded as 1 µs. */
export const LOWEST_US = 1;
/** Largest recordable latency (1 hour in µs); larger values are clamped to it. */
export const HIGHEST_US = 3_600_000_000;
export const SIGNIFICANT_DIGITS = 3;
/** 64-bit counts: merged shard histograms can exceed 2^31 samples in one bucket. */
const BUCKET_BITS = 64;
/** Sub-bucket layout implied by 3 significant digits and a lowest value of 1. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_COUNT = 2048;

/** Points of the percentile curve (plus the max), spread over the resolvable range. */
const CURVE_POINTS = 60;

let wasmReady = false;

/** Loads the WebAssembly module synchronously (worker threads, tests). Idempotent. */
export function initHistogramsSync(): void {
  if (wasmReady) return;
  initWebAssemblySync();
  wasmReady = true;
}

/** Loads the WebAssembly module. Idempotent. */
export async function initHistograms(): Promise<void> {
  if (wasmReady) return;
  await initWebAssembly();
  wasmReady = true;
}

function requireWasm(): void {
  // Building before init silently yields nothing usable; make the mistake loud instead.
  if (!wasmReady) throw new Error('histograms used before initHistograms() / initHistogramsSync()');
}

/** A new, empty WASM latency histogram (µs, 1..1h, 3 digits). Call `destroy()` when done. */
export function createLatencyHistogram(): Histogram {
  requireWasm();
  return build({
    useWebAssembly: true,
    bitBucketSize: BUCKET_BITS,
    lowestDiscernibleValue: LOWEST_US,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: false,
  });
}

/** Clamps a microsecond value into the recordable range [1 µs, 1 h] (rounded to an integer). */
export function clampUs(us: number): number {
  if (!(us >= LOWEST_US)) return LOWEST_US; // also maps NaN to the lowest value
  const rounded = Math.round(us);
  return rounded > HIGHEST_US ? HIGHEST_US : rounded;
}

/** Milliseconds (float) to recordable microseconds: rounded, at least 1, at most 1 hour. */
export function msToUs(ms: number): number {
  return clampUs(ms * 1000);
}

/** True when a latency in ms exceeds the recordable range and would be clamped to 1 hour. */
export function isClampedMs(ms: number): boolean {
  return ms * 1000 > HIGHEST_US;
}

/** Records one latency in µs, clamping it; returns true when the value was clamped (count it). */
export function recordUs(h: Histogram, us: number): boolean {
  const clamped = us > HIGHEST_US;
  h.recordValue(clampUs(us));
  return clamped;
}

/** HdrHistogram V2 compressed base64 (the results.json and shard-merge format). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Decodes V2 compressed base64 into a WASM histogram. Call `destroy()` when done. */
export function decodeHistogram(b64: string): Histogram {
  requireWasm();
  return decodeFromCompressedBase64(b64, BUCKET_BITS, true);
}

/** A new histogram holding every count of `parts` (exact; the parts are left untouched). */
export function mergeHistograms(parts: Histogram[]): Histogram {
  const merged = createLatencyHistogram();
  for (const part of parts) merged.add(part);
  return merged;
}

/** Smallest recorded value in µs (0 when empty). Exact on a live histogram. */
export function minUs(h: Histogram): number {
  if (h.totalCount === 0) return 0;
  // Percentile 0 is the lowest edge of the first non-empty bucket, which also sees zeros.
  return h.getValueAtPercentile(0) === 0 ? 0 : h.minNonZeroValue;
}

/** Largest recorded value in µs (0 when empty). Exact on a live histogram. */
export function maxUs(h: Histogram): number {
  return h.totalCount === 0 ? 0 : h.maxValue;
}

/**
 * The k-th smallest recorded value (1-based), as the highest value of its bucket clamped to
 * the recorded max: an upper estimate of the true k-th value, off by at most the bucket width.
 */
export function valueAtRankUs(h: Histogram, k: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.round(k)));
  return Math.min(maxUs(h), h.getValueAtPercentile((100 * rank) / n));
}

/** The lowest value of `us`'s bucket: a lower estimate of any value reported as `us`. */
export function lowestEquivalentUs(us: number): number {
  if (us < SUB_BUCKET_COUNT) return Math.max(0, Math.floor(us));
  const shift = Math.floor(Math.log2(us)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  const unit = 2 ** shift;
  return Math.floor(us / unit) * unit;
}

/** The k-th smallest value as the lowest value of its bucket, clamped to the recorded min. */
export function valueAtRankLowUs(h: Histogram, k: number): number {
  if (h.totalCount === 0) return 0;
  return Math.max(minUs(h), lowestEquivalentUs(valueAtRankUs(h, k)));
}

/** The q-quantile in ms (HDR convention: highest value of the bucket, clamped to [min, max]). */
export function valueAtQuantileMs(h: Histogram, q: number): number {
  if (h.totalCount === 0) return 0;
  const us = h.getValueAtPercentile(Math.min(100, Math.max(0, 100 * q)));
  return Math.min(maxUs(h), Math.max(minUs(h), us)) / 1000;
}

/** Count, key percentiles, the encoded histogram and a percentile curve for plotting. */
export function summarizeLatency(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) {
    return { count: 0, minMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, histogram: encodeHistogram(h), percentiles: [] };
  }
  return {
    count,
    minMs: minUs(h) / 1000,
    p50Ms: valueAtQuantileMs(h, 0.5),
    p90Ms: valueAtQuantileMs(h, 0.9),
    p99Ms: valueAtQuantileMs(h, 0.99),
    p999Ms: valueAtQuantileMs(h, 0.999),
    maxMs: maxUs(h) / 1000,
    histogram: encodeHistogram(h),
    percentiles: percentileCurve(h),
  };
}

/**
 * Points evenly spaced on x = log10(1 / (1 - q)) from q = 0 up to q = 1 - 1/n (beyond that
 * the data cannot resolve a percentile), then the max as percentile 100.
 */
export function percentileCurve(h: Histogram): Array<{ percentile: number; valueMs: number }> {
  const n = h.totalCount;
  if (n === 0) return [];
  const points: Array<{ percentile: number; valueMs: number }> = [];
  const xMax = Math.log10(n);
  const steps = n >= 2 ? CURVE_POINTS - 1 : 0;
  for (let i = 0; i <= steps; i++) {
    const x = steps === 0 ? 0 : (xMax * i) / steps;
    const q = 1 - 10 ** -x;
    // 12 significant digits: keeps 99.999 from printing as 99.99900000000001 in results.json.
    points.push({ percentile: +(100 * q).toPrecision(12), valueMs: valueAtQuantileMs(h, q) });
  }
  points.push({ percentile: 100, valueMs: maxUs(h) / 1000 });
  return points;
}

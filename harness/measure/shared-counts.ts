/**
 * Latency counts in shared memory, laid out exactly like an HdrHistogram's counts array
 * (lowest value 1 µs, 3 significant digits). The measured loop increments a bucket per
 * call (a few nanoseconds, no WebAssembly boundary), and the supervising thread can read
 * the counts at any moment: when a target hangs or crashes, every call it completed
 * before is still counted. `toHistogram` turns the counts into a real HDR histogram with
 * identical buckets, so percentiles, encoding and merging stay hdr-histogram-js's.
 */
import { createLatencyHistogram, HIGHEST_US, type Histogram } from './histogram.ts';

/** HDR layout for lowestDiscernibleValue 1 and 3 significant digits. */
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10; // log2(2048) - 1
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE; // 1024
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF_COUNT - 1; // 2047
/** Slot 0 holds the total count; buckets start at 1. */
const TOTAL_SLOT = 0;

function bucketIndexOf(value: number): number {
  // 64 - clz64(value | mask) - 11, computed with 32-bit halves (values reach 3.6e9 > 2^31).
  const v = value > SUB_BUCKET_MASK ? value : SUB_BUCKET_MASK;
  if (v < 4294967296) return 32 - Math.clz32(v) - 11;
  return 64 - Math.clz32(Math.floor(v / 4294967296)) - 11;
}

/** Index into the HDR counts array for a value in µs (already clamped to [1, HIGHEST_US]). */
export function countsIndexOf(valueUs: number): number {
  const bucket = bucketIndexOf(valueUs);
  // Shifts are exact below 2^31 µs (35 minutes); division covers the rest of the range.
  const subBucket = valueUs < 0x80000000 ? valueUs >>> bucket : Math.floor(valueUs / 2 ** bucket);
  return ((bucket + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (subBucket - SUB_BUCKET_HALF_COUNT);
}

/** The lowest value (µs) that lands in a counts index. */
export function valueAtIndex(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  let subBucket = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    subBucket -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return subBucket * 2 ** bucket;
}

/** Number of slots needed: the total plus every bucket up to HIGHEST_US. */
export const SHARED_COUNTS_LENGTH = countsIndexOf(HIGHEST_US) + 2;

/**
 * Counts for one histogram, or two: with `regions` 2 a second, identical layout follows the
 * first. A loop paced at a fixed rate (`slo.rate`) counts its coordinated-omission corrected
 * latencies in the first region (what the verdict uses, what `toHistogram` reads) and the
 * raw call times in the second (`rawHistogramOf`).
 */
export function createSharedCounts(regions: 1 | 2 = 1): SharedArrayBuffer {
  return new SharedArrayBuffer(regions * SHARED_COUNTS_LENGTH * Float64Array.BYTES_PER_ELEMENT);
}

/** The second region of counts made with `createSharedCounts(2)`; null when there is none. */
export function rawCountsView(counts: Float64Array): Float64Array | null {
  if (counts.length < 2 * SHARED_COUNTS_LENGTH) return null;
  return counts.subarray(SHARED_COUNTS_LENGTH, 2 * SHARED_COUNTS_LENGTH);
}

/** The raw (uncorrected) latencies of a paced loop; null without a second region or before its first call. */
export function rawHistogramOf(counts: Float64Array): Histogram | null {
  const raw = rawCountsView(counts);
  return raw && sharedTotal(raw) > 0 ? toHistogram(raw) : null;
}

/** Records one latency (ms) into shared counts. Hot path: no allocation, no calls out. */
export function recordSharedMs(counts: Float64Array, ms: number): void {
  let us = Math.round(ms * 1000);
  if (!(us >= 1)) us = 1;
  else if (us > HIGHEST_US) us = HIGHEST_US;
  const slot = countsIndexOf(us) + 1;
  counts[slot] = (counts[slot] ?? 0) + 1;
  counts[TOTAL_SLOT] = (counts[TOTAL_SLOT] ?? 0) + 1;
}

export function sharedTotal(counts: Float64Array): number {
  return counts[TOTAL_SLOT] ?? 0;
}

/** A WASM HDR histogram holding the same buckets as the shared counts (caller destroys it). */
export function toHistogram(counts: Float64Array): Histogram {
  const h = createLatencyHistogram();
  // The first region only: a second one (createSharedCounts(2)) is a different distribution.
  const end = Math.min(counts.length, SHARED_COUNTS_LENGTH);
  for (let slot = 1; slot < end; slot++) {
    const n = counts[slot] ?? 0;
    if (n > 0) h.recordValueWithCount(valueAtIndex(slot - 1), n);
  }
  return h;
}

/**
 * The load module's own small use of hdr-histogram-js (the shared measure module is written
 * elsewhere; this stays local and minimal on purpose). Values are microseconds.
 *
 * WASM mode records ~4x faster than the JS mode here, but it needs `initWebAssembly()` once
 * before `build()` and `destroy()` on every histogram afterwards, or its memory leaks.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

let wasmReady: Promise<void> | undefined;

/** Build an empty microsecond histogram (3 significant digits, auto-resizing). Caller destroys it. */
export async function createLatencyHistogram(): Promise<Histogram> {
  wasmReady ??= hdr.initWebAssembly();
  await wasmReady;
  return hdr.build({
    useWebAssembly: true,
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  });
}

/** Record a latency given in milliseconds (float) at microsecond resolution. */
export function recordMs(histogram: Histogram, latencyMs: number): void {
  histogram.recordValue(Math.max(0, Math.round(latencyMs * 1000)));
}

/** Read a percentile (0-100) back in milliseconds. */
export function percentileMs(histogram: Histogram, percentile: number): number {
  return histogram.getValueAtPercentile(percentile) / 1000;
}

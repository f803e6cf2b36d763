import { build } from 'hdr-histogram-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  clampUs, createLatencyHistogram, decodeHistogram, encodeHistogram, HIGHEST_US, initHistograms,
  initHistogramsSync, isClampedMs, lowestEquivalentUs, maxUs, mergeHistograms, minUs, msToUs,
  percentileCurve, recordUs, summarizeLatency, valueAtQuantileMs, valueAtRankLowUs, valueAtRankUs,
} from './histogram.ts';
import type { Histogram } from './histogram.ts';
import { mulberry32 } from './synthetic.ts';

const live: Histogram[] = [];
function track(h: Histogram): Histogram {
  live.push(h);
  return h;
}
afterEach(() => {
  for (const h of live.splice(0)) h.destroy();
});
beforeAll(async () => {
  await initHistograms();
  initHistogramsSync(); // idempotent
});

function filled(values: number[]): Histogram {
  const h = track(createLatencyHistogram());
  for (const v of values) h.recordValue(v);
  return h;
}

describe('unit conversion and clamping', () => {
  it('rounds milliseconds to whole microseconds, at least 1', () => {
    expect(msToUs(1.2344)).toBe(1234);
    expect(msToUs(0.0004)).toBe(1);
    expect(msToUs(0)).toBe(1);
    expect(msToUs(Number.NaN)).toBe(1);
  });

  it('clamps above one hour and reports it', () => {
    expect(msToUs(5e6)).toBe(HIGHEST_US);
    expect(isClampedMs(5e6)).toBe(true);
    expect(isClampedMs(3.6e6)).toBe(false);
    expect(clampUs(Number.POSITIVE_INFINITY)).toBe(HIGHEST_US);
    const h = filled([]);
    expect(recordUs(h, 4e9)).toBe(true);
    expect(recordUs(h, 10)).toBe(false);
    expect(h.totalCount).toBe(2);
    expect(maxUs(h)).toBe(HIGHEST_US);
  });
});

describe('bucket arithmetic', () => {
  it('lowestEquivalentUs agrees with the library layout', () => {
    const js = build({ highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 }) as unknown as {
      lowestEquivalentValue(v: number): number;
    };
    const rand = mulberry32(7);
    const values = [1, 2, 2047, 2048, 2049, 4095, 4096, 4097, 1_000_001, HIGHEST_US];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(10 ** (rand() * 9.5)) + 1);
    for (const v of values) expect(lowestEquivalentUs(v)).toBe(js.lowestEquivalentValue(v));
  });

  it('rank k maps to the k-th smallest raw value, within its bucket', () => {
    const rand = mulberry32(11);
    for (const n of [1, 2, 7, 100, 1999]) {
      // Mixed scales with duplicates: exact region (< 2048 µs) and coarse buckets.
      const raw = Array.from({ length: n }, () => (rand() < 0.3 ? 1500 : Math.floor(10 ** (2 + rand() * 5))));
      const h = filled(raw);
      const sorted = [...raw].sort((a, b) => a - b);
      for (let k = 1; k <= n; k++) {
        const truth = sorted[k - 1]!;
        const high = valueAtRankUs(h, k);
        const low = valueAtRankLowUs(h, k);
        expect(lowestEquivalentUs(high)).toBe(lowestEquivalentUs(truth));
        expect(low).toBeLessThanOrEqual(truth);
        expect(high).toBeGreaterThanOrEqual(truth);
        expect((high - low) / truth).toBeLessThan(1e-3);
      }
    }
  });
});

describe('summarizeLatency', () => {
  it('reports count, percentiles and extremes of known data', () => {
    const h = filled(Array.from({ length: 1000 }, (_, i) => (i + 1) * 10)); // 10 µs .. 10 ms
    const s = summarizeLatency(h);
    expect(s.count).toBe(1000);
    expect(s.minMs).toBe(0.01);
    expect(s.maxMs).toBe(10);
    // HDR reports the top of the value's bucket: at most 0.1% above the true order statistic.
    const nearAbove = (actual: number, truth: number): void => {
      expect(actual).toBeGreaterThanOrEqual(truth);
      expect(actual / truth - 1).toBeLessThan(1e-3);
    };
    nearAbove(s.p50Ms, 5);
    nearAbove(s.p90Ms, 9);
    nearAbove(s.p99Ms, 9.9);
    nearAbove(s.p999Ms, 9.99);
    const curve = s.percentiles;
    expect(curve.length).toBeGreaterThanOrEqual(40);
    expect(curve.length).toBeLessThanOrEqual(81);
    expect(curve[0]).toEqual({ percentile: 0, valueMs: 0.01 });
    expect(curve.at(-1)).toEqual({ percentile: 100, valueMs: 10 });
    expect(curve.at(-2)!.percentile).toBeCloseTo(99.9, 9); // 1 - 1/n: the last resolvable one
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i]!.percentile).toBeGreaterThan(curve[i - 1]!.percentile);
      expect(curve[i]!.valueMs).toBeGreaterThanOrEqual(curve[i - 1]!.valueMs);
    }
  });

  it('never reports a percentile above the recorded max', () => {
    const h = filled([5001]); // bucket [5000, 5003]
    expect(valueAtQuantileMs(h, 0.99)).toBe(5.001);
    expect(summarizeLatency(h).p50Ms).toBe(5.001);
    expect(percentileCurve(h)).toEqual([{ percentile: 0, valueMs: 5.001 }, { percentile: 100, valueMs: 5.001 }]);
  });

  it('summarises an empty histogram as zeros without NaN', () => {
    const s = summarizeLatency(filled([]));
    expect(s).toMatchObject({ count: 0, minMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, percentiles: [] });
    expect(JSON.stringify(s)).not.toMatch(/null|NaN/);
    expect(decodeHistogram(s.histogram).totalCount).toBe(0);
  });
});

describe('encoding and merging', () => {
  it('encode/decode keeps count and every quantile', () => {
    const rand = mulberry32(3);
    const h = filled(Array.from({ length: 50_000 }, () => msToUs(-2 * Math.log(1 - rand()))));
    const d = track(decodeHistogram(encodeHistogram(h)));
    expect(d.totalCount).toBe(h.totalCount);
    for (const q of [0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1]) {
      expect(d.getValueAtPercentile(100 * q)).toBe(h.getValueAtPercentile(100 * q));
    }
    expect(minUs(d)).toBe(minUs(h));
    expect(lowestEquivalentUs(maxUs(d))).toBe(lowestEquivalentUs(maxUs(h))); // decode keeps the bucket, not the exact max
  });

  it('merging shards equals recording everything into one histogram', () => {
    const rand = mulberry32(5);
    const values = Array.from({ length: 30_000 }, () => msToUs(Math.exp(rand() * 6)));
    const whole = filled(values);
    const shards = [0, 1, 2].map((s) => filled(values.filter((_, i) => i % 3 === s)));
    const merged = track(mergeHistograms(shards.map((s) => track(decodeHistogram(encodeHistogram(s))))));
    expect(merged.totalCount).toBe(whole.totalCount);
    for (let p = 0; p <= 100; p += 2.5) expect(merged.getValueAtPercentile(p)).toBe(whole.getValueAtPercentile(p));
    expect(encodeHistogram(merged)).toBe(encodeHistogram(track(decodeHistogram(encodeHistogram(whole)))));
    expect(shards[0]!.totalCount).toBe(10_000); // parts untouched
  });
});

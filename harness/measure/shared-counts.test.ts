import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { createLatencyHistogram, initHistograms, msToUs } from './histogram.ts';
import { countsIndexOf, createSharedCounts, rawCountsView, rawHistogramOf, recordSharedMs, sharedTotal, toHistogram, valueAtIndex } from './shared-counts.ts';

beforeAll(async () => {
  await initHistograms();
});

describe('shared latency counts', () => {
  it('maps values to the same bucket boundaries as HdrHistogram', () => {
    for (const v of [1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 123_456, 2 ** 31 + 5, 3_600_000_000]) {
      const i = countsIndexOf(v);
      const low = valueAtIndex(i);
      expect(low).toBeLessThanOrEqual(v);
      // The next index starts above v: v lies inside [low, next low).
      expect(valueAtIndex(i + 1)).toBeGreaterThan(v);
    }
  });

  it('gives exactly the percentiles of a histogram recorded directly', () => {
    const rng = createRng(11);
    const direct = createLatencyHistogram();
    const counts = new Float64Array(createSharedCounts());
    for (let i = 0; i < 50_000; i++) {
      // Log-uniform latencies from 1 µs to ~10 s exercise every bucket magnitude.
      const ms = 10 ** (rng.next() * 7 - 3);
      direct.recordValue(msToUs(ms));
      recordSharedMs(counts, ms);
    }
    const rebuilt = toHistogram(counts);
    expect(sharedTotal(counts)).toBe(50_000);
    expect(rebuilt.totalCount).toBe(direct.totalCount);
    for (const p of [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
      expect(rebuilt.getValueAtPercentile(p)).toBe(direct.getValueAtPercentile(p));
    }
    direct.destroy();
    rebuilt.destroy();
  });

  it('keeps a paced loop\'s raw times in a second region that toHistogram does not read', () => {
    const single = new Float64Array(createSharedCounts());
    expect(rawCountsView(single)).toBeNull();
    expect(rawHistogramOf(single)).toBeNull();
    const counts = new Float64Array(createSharedCounts(2));
    const raw = rawCountsView(counts);
    expect(raw).not.toBeNull();
    expect(rawHistogramOf(counts)).toBeNull(); // nothing recorded yet
    for (let i = 0; i < 100; i++) {
      recordSharedMs(counts, 5); // corrected
      if (raw) recordSharedMs(raw, 1);
    }
    const corrected = toHistogram(counts);
    const rawH = rawHistogramOf(counts);
    expect(corrected.totalCount).toBe(100);
    expect(corrected.getValueAtPercentile(100)).toBeGreaterThanOrEqual(4990);
    expect(rawH?.totalCount).toBe(100);
    expect(rawH?.getValueAtPercentile(100)).toBeLessThanOrEqual(1001);
    corrected.destroy();
    rawH?.destroy();
  });
});

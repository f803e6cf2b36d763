import { describe, expect, it } from 'vitest';
import { CostRecords, latencyBucket, lengthClass, Remeasurement } from './cost.ts';

const bytes = (n: number): Uint8Array => new Uint8Array(n);

describe('latency buckets and length classes', () => {
  it('buckets log2 of microseconds, keeping sub-microsecond order', () => {
    expect(latencyBucket(1_000)).toBe(8);
    expect(latencyBucket(1_999)).toBe(8);
    expect(latencyBucket(2_000)).toBe(9);
    expect(latencyBucket(500)).toBe(7);
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(10e6)).toBe(21);
  });

  it('groups lengths by power of two', () => {
    expect([0, 1, 2, 3, 4, 7, 8, 4096].map(lengthClass)).toEqual([0, 1, 2, 2, 3, 3, 4, 13]);
  });
});

describe('CostRecords', () => {
  it('keeps one maximum per length class and relaxes a cold holder', () => {
    const r = new CostRecords();
    const a = bytes(20);
    expect(r.isRecord(20, 5)).toBe(true);
    r.commit(a, 12);
    expect(r.isRecord(25, 12)).toBe(false);
    expect(r.isRecord(25, 13)).toBe(true);
    expect(r.isRecord(40, 3)).toBe(true); // other class
    r.relax(bytes(20), 6); // not the holder: no effect
    expect(r.isRecord(20, 10)).toBe(false);
    r.relax(a, 6);
    expect(r.isRecord(20, 10)).toBe(true);
    expect(r.holders()).toEqual([a]);
  });
});

describe('Remeasurement', () => {
  const threshold = (ns: number): boolean => ns > 100;

  it('confirms only when every run is still a record, using the fastest run', () => {
    const m = new Remeasurement(bytes(1), 150, threshold);
    expect(m.add(130)).toBe('pending');
    expect(m.add(180)).toBe('confirmed');
    expect(m.confirmedLatencyNs()).toBe(130);
  });

  it('rejects at the first run that is not a record', () => {
    const m = new Remeasurement(bytes(1), 150, threshold);
    expect(m.add(90)).toBe('rejected');
    expect(m.samples).toEqual([150, 90]);
  });
});

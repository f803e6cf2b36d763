import { describe, expect, it } from 'vitest';
import { quantileNearestRank } from '../core/stats.ts';
import {
  achievedRate,
  buildTimeline,
  classifyTransportError,
  countOutcome,
  dueCount,
  emptyErrorCounts,
  intendedOffsetNs,
  plannedRequestCount,
} from './schedule.ts';

describe('schedule', () => {
  it('plans rate * duration requests, or the explicit count', () => {
    expect(plannedRequestCount(200, 3000, undefined)).toBe(600);
    expect(plannedRequestCount(500, 2000, undefined)).toBe(1000);
    expect(plannedRequestCount(3, 500, undefined)).toBe(1);
    expect(plannedRequestCount(200, 3000, 7)).toBe(7);
    expect(() => plannedRequestCount(0, 1000, undefined)).toThrow(RangeError);
    expect(() => plannedRequestCount(10, undefined, undefined)).toThrow(RangeError);
    expect(() => plannedRequestCount(10, undefined, 0)).toThrow(RangeError);
  });

  it('spaces intended times evenly at 1/rate', () => {
    expect(intendedOffsetNs(0, 500)).toBe(0);
    expect(intendedOffsetNs(1, 500)).toBe(2_000_000);
    expect(intendedOffsetNs(1000, 500)).toBe(2e9);
  });

  it('counts requests due by a time, inclusive of the exact intended instant', () => {
    expect(dueCount(-1, 500, 1000)).toBe(0);
    expect(dueCount(0, 500, 1000)).toBe(1);
    expect(dueCount(1_999_999, 500, 1000)).toBe(1);
    expect(dueCount(2_000_000, 500, 1000)).toBe(2);
    expect(dueCount(1e12, 500, 1000)).toBe(1000);
    // Every index dueCount releases has an intended time not after the clock.
    for (let t = 0; t < 5e7; t += 333_333) {
      const due = dueCount(t, 777, 1e6);
      expect(intendedOffsetNs(due - 1, 777)).toBeLessThanOrEqual(t);
      expect(intendedOffsetNs(due, 777)).toBeGreaterThan(t);
    }
  });

  it('achieved rate equals the target for an on-time schedule and drops when the sender lags', () => {
    expect(achievedRate(1000, intendedOffsetNs(999, 500), 500)).toBeCloseTo(500, 6);
    expect(achievedRate(1000, intendedOffsetNs(999, 500) + 1e9, 500)).toBeCloseTo(1000 / 3, 6);
    expect(achievedRate(0, 0, 500)).toBe(0);
  });

  it('classifies refused/reset connections apart from other failures', () => {
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('connection');
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe('connection');
    expect(classifyTransportError(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe('connection');
    expect(classifyTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_INVALID_ARG' }))).toBe('other');
    expect(classifyTransportError('weird')).toBe('other');
  });

  it('counts statuses and failures into their own buckets', () => {
    const counts = emptyErrorCounts();
    countOutcome(counts, 200, null);
    countOutcome(counts, 404, null);
    countOutcome(counts, 503, null);
    countOutcome(counts, null, 'timeout');
    countOutcome(counts, null, 'connection');
    countOutcome(counts, null, 'other');
    expect(counts).toEqual({ timeout: 1, connection: 1, status5xx: 1, status4xx: 1, other: 1 });
  });

  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, k) => 100 - k);
    expect(quantileNearestRank(values, 0.99)).toBe(99);
    expect(quantileNearestRank(values, 0.5)).toBe(50);
    expect(quantileNearestRank([7], 0.99)).toBe(7);
    expect(quantileNearestRank([], 0.99)).toBeNull();
  });

  it('builds a timeline by intended time with per-window P99 and errors, gaps included', () => {
    const rate = 100; // 10 requests per 100 ms window
    const issued = 30;
    const correctedMs = new Float64Array(issued).fill(Number.NaN);
    const isError = new Uint8Array(issued);
    for (let i = 0; i < 10; i++) correctedMs[i] = 1 + i; // window 0: 1..10 ms
    // window 1: no latencies recorded (all connection errors)
    for (let i = 10; i < 20; i++) isError[i] = 1;
    for (let i = 20; i < 30; i++) correctedMs[i] = 500; // window 2: a stall
    const timeline = buildTimeline({ correctedMs, isError, issued }, rate, 100);
    expect(timeline).toEqual([
      { tStartMs: 0, count: 10, p99Ms: 10, errors: 0 },
      { tStartMs: 100, count: 10, p99Ms: null, errors: 10 },
      { tStartMs: 200, count: 10, p99Ms: 500, errors: 0 },
    ]);
    expect(buildTimeline({ correctedMs, isError, issued: 0 }, rate, 100)).toEqual([]);
  });
});

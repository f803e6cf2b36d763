import { describe, expect, it } from 'vitest';
import { medianInterpolated, medianLow, quantileNearestRank } from './stats.ts';

describe('quantileNearestRank', () => {
  it('returns the smallest value with at least q of the values at or below it', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantileNearestRank(values, 0.1)).toBe(1);
    expect(quantileNearestRank(values, 0.11)).toBe(2);
    expect(quantileNearestRank(values, 0.99)).toBe(10);
    expect(quantileNearestRank(values, 1)).toBe(10);
    expect(quantileNearestRank(values, 0)).toBe(1);
  });

  it('is null when empty and leaves its input unsorted', () => {
    const values = [3, 1, 2];
    expect(quantileNearestRank([], 0.5)).toBeNull();
    quantileNearestRank(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it('sorts numerically, not as text', () => {
    expect(quantileNearestRank([10, 9, 100], 0.5)).toBe(10);
    expect(quantileNearestRank(Float64Array.of(2, 11, 1), 1)).toBe(11);
  });
});

describe('medianLow', () => {
  it('is the middle value, the lower middle one for an even count', () => {
    expect(medianLow([3, 1, 2])).toBe(2);
    expect(medianLow([4, 1, 3, 2])).toBe(2);
    expect(medianLow([7])).toBe(7);
  });

  it('is the value sorted[floor((n-1)/2)] for every count', () => {
    for (let n = 1; n <= 9; n++) {
      const values = Array.from({ length: n }, (_, i) => (i * 7919) % 13);
      const sorted = [...values].sort((a, b) => a - b);
      expect(medianLow(values)).toBe(sorted[Math.floor((n - 1) / 2)]);
    }
  });

  it('is NaN when empty', () => {
    expect(medianLow([])).toBeNaN();
  });
});

describe('medianInterpolated', () => {
  it('is the middle value, the mean of the two middle ones for an even count', () => {
    expect(medianInterpolated([3, 1, 2])).toBe(2);
    expect(medianInterpolated([4, 1, 3, 2])).toBe(2.5);
    expect(medianInterpolated([10, 9])).toBe(9.5);
    expect(medianInterpolated([])).toBeNaN();
  });
});

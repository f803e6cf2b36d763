import { describe, expect, it } from 'vitest';
import { binomialTails, NORMAL_APPROX_MIN_VARIANCE, normalCdf, normalQuantile } from './binomial.ts';

/** Binomial(n, q) mass by repeated convolution: slow, obviously correct, fine for n <= 400. */
function massByConvolution(n: number, q: number): number[] {
  let p = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array<number>(p.length + 1).fill(0);
    p.forEach((v, k) => {
      next[k]! += v * (1 - q);
      next[k + 1]! += v * q;
    });
    p = next;
  }
  return p;
}

describe('normal distribution helpers', () => {
  it('matches reference values of the standard normal CDF', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300946, 15);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 12);
    expect(normalCdf(-6) / 9.865876450376982e-10).toBeCloseTo(1, 12);
  });

  it('inverts the CDF', () => {
    for (const p of [1e-9, 0.001, 0.025, 0.3, 0.5, 0.9, 0.975, 0.999999]) {
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 9);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
  });
});

describe('binomialTails', () => {
  it('exact tails equal the convolved mass for small n', () => {
    for (const [n, q] of [[1, 0.99], [10, 0.5], [57, 0.9], [300, 0.99], [400, 0.999]] as const) {
      const mass = massByConvolution(n, q);
      const t = binomialTails(n, q, 'exact');
      let below = 0;
      for (let k = 0; k <= n + 1; k++) {
        const atLeast = mass.slice(k).reduce((a, b) => a + b, 0);
        expect(t.below(k)).toBeCloseTo(below, 12);
        expect(t.atLeast(k)).toBeCloseTo(atLeast, 12);
        below += mass[k] ?? 0;
      }
    }
  });

  it('keeps tiny tail probabilities relatively accurate', () => {
    // P(Bin(1000, 0.99) = 1000) = 0.99^1000.
    const t = binomialTails(1000, 0.99, 'exact');
    expect(t.atLeast(1000) / 0.99 ** 1000).toBeCloseTo(1, 10);
    // P(Bin(60, 0.5) = 0) = 2^-60, far below double-precision cancellation limits.
    expect(binomialTails(60, 0.5, 'exact').below(1) / 2 ** -60).toBeCloseTo(1, 10);
  });

  it('switches to the normal approximation only for large variance', () => {
    expect(binomialTails(100_000, 0.99).method).toBe('exact'); // variance 990
    expect(binomialTails(102_000, 0.99).method).toBe('normal'); // variance 1009.8
    expect(NORMAL_APPROX_MIN_VARIANCE).toBe(1000);
  });

  it('normal tails agree with exact tails at the switch', () => {
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const n = Math.ceil(NORMAL_APPROX_MIN_VARIANCE / (q * (1 - q)));
      const exact = binomialTails(n, q, 'exact');
      const approx = binomialTails(n, q, 'normal');
      for (let z = -3; z <= 3; z += 0.25) {
        const k = Math.round(exact.mean + z * exact.sd);
        expect(Math.abs(approx.below(k) - exact.below(k))).toBeLessThan(2e-4);
        expect(Math.abs(approx.atLeast(k) - exact.atLeast(k))).toBeLessThan(2e-4);
      }
    }
  });

  it('rejects nonsense', () => {
    expect(() => binomialTails(0, 0.5)).toThrow(RangeError);
    expect(() => binomialTails(10, 1)).toThrow(RangeError);
    expect(() => binomialTails(1.5, 0.5)).toThrow(RangeError);
  });
});

/**
 * The trace bench's loss estimator (bench/trace-overhead.ts), on synthetic pair ratios: no
 * servers, no clocks.
 */
import { describe, expect, it } from 'vitest';
import { pairedLoss, pairedLossInterval } from '../../bench/trace-overhead.ts';
import { createRng } from '../../harness/core/rng.ts';

/** Pair ratios traced/untraced for a loss, a speed factor between the servers and noise. */
function ratios(seed: number, n: number, loss: number, factor: number, noise: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => factor * (1 - loss) * (1 + (rng.next() - 0.5) * 2 * noise));
}

describe('paired loss of the trace overhead bench', () => {
  it('cancels a speed difference between the two servers', () => {
    // Server A 7% faster than B: A-traced pairs read 1.07 (1 - loss), B-traced ones (1 - loss) / 1.07.
    const a = ratios(1, 81, 0.02, 1.07, 0);
    const b = ratios(2, 81, 0.02, 1 / 1.07, 0);
    expect(pairedLoss(a, b)).toBeCloseTo(0.02, 10);
    // Taking either group alone would be off by the factor.
    expect(Math.abs(1 - (a[0] as number) - 0.02)).toBeGreaterThan(0.05);
  });

  it('gives a seeded bootstrap interval that contains the loss and narrows with more pairs', () => {
    const few = [ratios(3, 40, 0.02, 1.05, 0.15), ratios(4, 40, 0.02, 1 / 1.05, 0.15)] as const;
    const many = [ratios(5, 400, 0.02, 1.05, 0.15), ratios(6, 400, 0.02, 1 / 1.05, 0.15)] as const;
    const [lo, hi] = pairedLossInterval(...many);
    expect(lo).toBeLessThan(0.02);
    expect(hi).toBeGreaterThan(0.02);
    const [flo, fhi] = pairedLossInterval(...few);
    expect(hi - lo).toBeLessThan(fhi - flo);
    expect(pairedLossInterval(...few)).toEqual([flo, fhi]);
  });
});

import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { pumpMutator, type MutationContext } from './mutate.ts';
import { nextPumpCount } from './pump.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('nextPumpCount', () => {
  const rng = createRng(3);
  const budget = 10e6;

  it('grows multiplicatively far below the budget, by one near it', () => {
    expect(nextPumpCount(10, 1_000, budget, rng)).toBeGreaterThanOrEqual(21);
    expect(nextPumpCount(2, 1_000, budget, rng)).toBe(8);
    const near = nextPumpCount(20, budget / 2, budget, rng);
    expect(near).toBe(21);
  });

  it('extrapolates an exponential lineage to about twice the budget', () => {
    // Cost doubles per repetition: 2^n ns. From n=12 (4.1 us), 2x budget is n ~ 24.3.
    const cost = (n: number): number => 2 ** n;
    const n = nextPumpCount(12, cost(12), budget, rng, { count: 11, latencyNs: cost(11) });
    expect(n).toBeGreaterThanOrEqual(24);
    expect(n).toBeLessThanOrEqual(25);
    expect(cost(n)).toBeLessThan(8 * budget);
  });

  it('never steps more than tripling the count, and always grows', () => {
    const n = nextPumpCount(100, 1_000, budget, rng, { count: 50, latencyNs: 400 });
    expect(n).toBeLessThanOrEqual(301);
    for (let c = 1; c < 50; c++) expect(nextPumpCount(c, budget * 0.9, budget, rng)).toBeGreaterThan(c);
  });
});

describe('pumpMutator', () => {
  it('grows a repetition within maxLength', () => {
    const ctx: MutationContext = { rng: createRng(11), maxLength: 64, dictionary: [], corpus: [] };
    let grew = 0;
    for (let i = 0; i < 100; i++) {
      const out = pumpMutator(bytes('abababab!'), ctx);
      expect(out.length).toBeLessThanOrEqual(64);
      if (out.length > 9) grew++;
    }
    expect(grew).toBeGreaterThan(50);
  });
});

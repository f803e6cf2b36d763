import { describe, expect, it } from 'vitest';
import { createFirstCallOracle, firstCallMeasure, startSlot } from './probe-oracle.ts';

describe('first-call oracle', () => {
  it('sends the repeats for one input to successive workers, starting at its own slot', async () => {
    const asked: Array<[string, number]> = [];
    const measure = firstCallMeasure<string>(async (input, slot) => {
      asked.push([input, slot]);
      return 1;
    }, (s) => s, 3);
    await measure('x');
    await measure('x');
    await measure('x');
    await measure('y');
    const sx = startSlot('x', 3);
    expect(asked.slice(0, 3).map(([, s]) => s)).toEqual([sx, (sx + 1) % 3, (sx + 2) % 3]);
    expect(asked[3]).toEqual(['y', startSlot('y', 3)]);
  });

  it('decides on a majority of first calls and stops asking once it has one', async () => {
    let calls = 0;
    // Worker latencies by slot: two over the line, one under.
    const latency = [80, 90, 10];
    const oracle = createFirstCallOracle<string>(async (_input, slot) => {
      calls++;
      return latency[slot] as number;
    }, { budgetMs: 50, repeats: 3, key: (s) => s });
    const violates = await oracle('input');
    expect(violates).toBe(true);
    expect(calls).toBeLessThanOrEqual(3);
    // Asked again: answered from the oracle's cache, no new call (it would hit the target's cache).
    expect(await oracle('input')).toBe(true);
    expect(oracle.stats.cacheHits).toBe(1);
  });

  it('spreads inputs over every worker', () => {
    const slots = new Set(Array.from({ length: 50 }, (_, i) => startSlot(`input-${i}`, 3)));
    expect([...slots].sort()).toEqual([0, 1, 2]);
  });
});

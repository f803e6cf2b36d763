import { describe, expect, it } from 'vitest';
import { createRobustOracle } from './oracle.ts';

describe('createRobustOracle', () => {
  it('decides on the median, stops once a majority agrees, and caches answers', async () => {
    const series = [5, 5, 0.1, 0.1, 0.1];
    let i = 0;
    const oracle = createRobustOracle(async () => series[i++ % series.length] as number, { budgetMs: 1, repeats: 5, key: (s: string) => s });
    expect(await oracle('x')).toBe(false); // 5, 5, 0.1, 0.1, 0.1: median 0.1
    expect(oracle.stats.measurements).toBe(5);
    expect(oracle.lastMedianMs).toBeCloseTo(0.1);
    expect(await oracle('x')).toBe(false);
    expect(oracle.stats.cacheHits).toBe(1);
    expect(oracle.stats.measurements).toBe(5);
    const always = createRobustOracle(async () => 2, { budgetMs: 1, repeats: 5 });
    expect(await always('y')).toBe(true);
    expect(always.stats.measurements).toBe(3); // 3 of 5 above: decided
  });

  it('requires the margin', async () => {
    const oracle = createRobustOracle(async () => 1.05, { budgetMs: 1, margin: 1.1 });
    expect(await oracle('z')).toBe(false);
    const exact = createRobustOracle(async () => 1.05, { budgetMs: 1, margin: 1 });
    expect(await exact('z')).toBe(true);
  });
});

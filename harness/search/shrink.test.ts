import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { bytesKey, createRobustOracle } from './oracle.ts';
import { shrinkBytes, shrinkWithArbitrary } from './shrink.ts';
import { globSteps } from '../../test/support/glob-steps.ts';

/*
 * Synthetic, deterministic cost functions stand in for measured latency (no clocks):
 * the smallest violating input of each is known, so the shrinker's result can be judged.
 */
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** 2^(longest run of consecutive "ab" pairs) microseconds, in ms. */
function abCostMs(input: Uint8Array): number {
  const s = text(input);
  let best = 0;
  for (let i = 0; i < s.length; i++) {
    let k = 0;
    while (s.startsWith('ab', i + 2 * k)) k++;
    best = Math.max(best, k);
  }
  return 2 ** best / 1000;
}

/** Depth^2 ms for balanced square brackets; an unbalanced input costs 1 ms. */
function bracketCostMs(input: Uint8Array): number {
  let depth = 0;
  let max = 0;
  for (const b of input) {
    if (b === 0x5b) max = Math.max(max, ++depth);
    else if (b === 0x5d && --depth < 0) return 1;
  }
  return depth === 0 ? max * max : 1;
}

const junk = (seed: number, n: number): string => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => String.fromCharCode(0x21 + rng.int(90)).replace(/[ab[\]]/g, 'z')).join('');
};

describe('shrinkBytes toward the SLO boundary', () => {
  it('shrinks an exponential "ab" blow-up to the boundary (smallest violating: 22 bytes)', async () => {
    // budget 1 ms x margin 1.1: needs 2^k us > 1.1 ms, k >= 11, so "ab" x 11 = 22 bytes
    const oracle = createRobustOracle(async (i: Uint8Array) => abCostMs(i), { budgetMs: 1, repeats: 3, margin: 1.1, key: bytesKey });
    const found = bytes(junk(1, 90) + 'ab'.repeat(20) + junk(2, 50));
    const result = await shrinkBytes(found, oracle);
    expect(result.initialViolates).toBe(true);
    expect(abCostMs(result.value)).toBeGreaterThan(1.1);
    expect(result.size).toBeLessThanOrEqual(44);
    expect(text(result.value)).toContain('ab'.repeat(11));
    expect(result.oracleCalls).toBeLessThan(600);
    expect(oracle.stats.measurements).toBeGreaterThanOrEqual(result.oracleCalls - oracle.stats.cacheHits);
    console.info(`ab: ${found.length} -> ${result.size} bytes, ${result.oracleCalls} questions, ${oracle.stats.measurements} measurements`);
  });

  it('shrinks a quadratic bracket nesting keeping it balanced (smallest violating: 42 bytes)', async () => {
    // budget 400 ms x 1.1: depth^2 > 440, depth >= 21: "[" x 21 + "]" x 21
    const oracle = createRobustOracle(async (i: Uint8Array) => bracketCostMs(i), { budgetMs: 400, key: bytesKey });
    const found = bytes(`${junk(3, 30)}${'['.repeat(35)}${junk(4, 20)}${']'.repeat(35)}${junk(5, 30)}`);
    const result = await shrinkBytes(found, oracle);
    expect(bracketCostMs(result.value)).toBeGreaterThan(440);
    expect(result.size).toBeLessThanOrEqual(84);
    console.info(`brackets: ${found.length} -> ${result.size} bytes, ${result.oracleCalls} questions, ${oracle.stats.measurements} measurements`);
  });

  it('stays within 2x of the smallest under seeded measurement noise', async () => {
    const noise = createRng(42);
    const measure = async (i: Uint8Array): Promise<number> => abCostMs(i) * (0.8 + 0.4 * noise.next());
    const oracle = createRobustOracle(measure, { budgetMs: 1, repeats: 5, margin: 1.1, key: bytesKey });
    const result = await shrinkBytes(bytes(junk(6, 60) + 'ab'.repeat(24) + '!'), oracle);
    expect(result.size).toBeLessThanOrEqual(44);
    expect(abCostMs(result.value)).toBeGreaterThan(1);
    // five repeats per question unless a majority decided early
    expect(oracle.stats.measurements).toBeGreaterThan(oracle.stats.calls - oracle.stats.cacheHits);
    expect(oracle.stats.measurements).toBeLessThanOrEqual(5 * (oracle.stats.calls - oracle.stats.cacheHits));
    console.info(`noisy ab: -> ${result.size} bytes, ${result.oracleCalls} questions, ${oracle.stats.measurements} measurements`);
  });

  it('trades a long text for more stars: a glob found with few stars shrinks to the balanced shape', async () => {
    // "violates" = over 200,000 matching steps (1 ms per 1,000 steps vs a 200 ms budget)
    const limit = 220_000;
    const oracle = createRobustOracle(async (i: Uint8Array) => globSteps(text(i), limit) / 1000, { budgetMs: 200, key: bytesKey });
    // The smallest input of the balanced family stars^k + "b\n" + "a"^m, by brute force.
    let smallest = Infinity;
    for (let k = 1; k < 30; k++)
      for (let m = 1; m < 60 && k + m + 2 < smallest; m++)
        if (globSteps('*'.repeat(k) + 'b\na' + 'a'.repeat(m - 1), limit) > limit) smallest = k + m + 2;
    const found = bytes('**b\n' + 'a'.repeat(800));
    expect(globSteps(text(found), limit)).toBeGreaterThan(limit);
    const result = await shrinkBytes(found, oracle, { maxRounds: 8 });
    expect(globSteps(text(result.value), limit)).toBeGreaterThan(limit);
    expect(result.size).toBeLessThanOrEqual(2 * smallest);
    console.info(`glob: ${found.length} -> ${result.size} bytes (smallest of the family ${smallest}), ${result.oracleCalls} questions`);
  });

  it('replaces bytes by the pumped one: a quadratic scanner found on "[)" shrinks to "[" x n', async () => {
    // Every "[" rescans to the end: cost = sum of the lengths after each "[" (1 us per byte).
    const scanCostMs = (input: Uint8Array): number => {
      let cost = 0;
      input.forEach((b, i) => (cost += b === 0x5b ? input.length - i : 0));
      return cost / 1000;
    };
    // "[" x 1000 costs 500.5 ms: the smallest violating input of a 500 ms budget. Cutting
    // the found shape alone ends near "[)))))))" x 354, 2,832 bytes.
    const oracle = createRobustOracle(async (i: Uint8Array) => scanCostMs(i), { budgetMs: 500, margin: 1, key: bytesKey });
    const found = bytes(junk(8, 40) + '[)))))))'.repeat(600) + junk(9, 40));
    const result = await shrinkBytes(found, oracle);
    expect(scanCostMs(result.value)).toBeGreaterThan(500);
    expect(result.size).toBeLessThanOrEqual(2 * 1000);
    console.info(`scanner: ${found.length} -> ${result.size} bytes (smallest 1000), ${result.oracleCalls} questions`);
  });

  it('does not shrink an input that does not violate, and honours the question budget', async () => {
    const oracle = createRobustOracle(async (i: Uint8Array) => abCostMs(i), { budgetMs: 1 });
    const calm = await shrinkBytes(bytes('ababab'), oracle);
    expect(calm.initialViolates).toBe(false);
    expect(calm.size).toBe(6);
    const limited = await shrinkBytes(bytes(junk(7, 200) + 'ab'.repeat(15)), oracle, { maxOracleCalls: 10 });
    expect(limited.oracleCalls).toBe(10);
    expect(limited.stoppedEarly).toBe(true);
    expect(abCostMs(limited.value)).toBeGreaterThan(1.1);
  });
});

describe('shrinkWithArbitrary', () => {
  it("shrinks a fast-check value with the arbitrary's own shrinker", async () => {
    const arb = fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 300 });
    const rng = createRng(7);
    const value = Array.from({ length: 180 }, () => rng.int(101)); // as if generated by arb, no context
    expect(arb.canShrinkWithoutContext(value)).toBe(true);
    // cost = length^2 ms, budget 100 ms x 1.1: length >= 11
    const oracle = createRobustOracle(async (v: number[]) => v.length * v.length, { budgetMs: 100 });
    const result = await shrinkWithArbitrary(value, arb, oracle);
    expect(result.initialViolates).toBe(true);
    expect(result.value.length).toBeGreaterThanOrEqual(11);
    expect(result.value.length).toBeLessThanOrEqual(22);
    expect(result.value.every((x) => x === 0)).toBe(true);
    expect(result.size).toBe(result.value.length);
    console.info(`array: ${value.length} -> ${result.value.length} items, ${result.oracleCalls} questions`);
  });
});

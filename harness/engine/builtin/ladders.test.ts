import { describe, expect, it } from 'vitest';
import { LADDER_NOISE_FLOOR_NS, ladderStep, Ladders, type LadderSpec } from './ladders.ts';
import { recordLadderPatterns } from './record-ladders.ts';
import { regexLadderPatterns } from './regex-ladders.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const specs = (sources: string[], budgetNs: number): LadderSpec[] => regexLadderPatterns(sources).map((pattern) => ({ pattern, budgetNs }));

describe('ladderStep', () => {
  it('grows by half below the noise floor, where measured growth is not trusted', () => {
    expect(ladderStep(10, 1_000, 10e6, { count: 4, latencyNs: 500 })).toBe(15);
  });

  it('extrapolates clear growth above the floor toward the budget, never by more than half', () => {
    // Doubling per repetition, 1 ms at n=20: the budget (8 ms) is three repetitions away.
    expect(ladderStep(20, 1e6, 8e6, { count: 19, latencyNs: 0.5e6 })).toBe(23);
    // Far below the budget the same growth would ask for a big step: capped at +50%.
    expect(ladderStep(20, 0.2e6, 1e9, { count: 19, latencyNs: 0.1e6 })).toBe(30);
  });

  it('steps by a quarter when there is no clear growth above the floor', () => {
    expect(ladderStep(40, 2 * LADDER_NOISE_FLOOR_NS, 10e6, { count: 30, latencyNs: 2 * LADDER_NOISE_FLOOR_NS })).toBe(50);
  });
});

/** Deterministic costs: 2^n ns for the exponential pattern's n, 1 µs per byte for anything else. */
function cost(input: Uint8Array): number {
  const s = text(input);
  const run = /^(a+)!$/.exec(s);
  return run ? 2 ** (run[1] as string).length : 1_000 * s.length;
}

describe('Ladders', () => {
  it('climbs an exponential pattern to the budget without jumping far past it, and drops flat ones', () => {
    const budgetNs = 10e6;
    const ladders = new Ladders(specs(['const R = /^(\\w+\\s?)*$/;'], budgetNs), 4096);
    const latencies: number[] = [];
    let over: number | undefined;
    for (let i = 0; i < 200 && !ladders.done; i++) {
      const rung = ladders.next();
      if (!rung) break;
      const ns = cost(rung.data);
      latencies.push(ns);
      if (ns >= budgetNs && over === undefined) over = ns;
      ladders.feedback(ns);
    }
    expect(ladders.done).toBe(true);
    expect(over).toBeDefined();
    // The first rung over the budget overshoots it by a bounded factor (one +50% step from below the budget).
    expect((over as number) / budgetNs).toBeLessThan(2 ** 8);
    expect(latencies.length).toBeLessThan(40);
  });

  it('hands out one rung at a time: nothing until the last one has its feedback', () => {
    const ladders = new Ladders(specs(['const R = /^(ab|a.)*$/;'], 10e6), 4096);
    expect(ladders.next()).not.toBeNull();
    expect(ladders.next()).toBeNull();
    ladders.feedback(1_000);
    expect(ladders.next()).not.toBeNull();
  });
});

/** Deterministic costs of a quadratic record parser: 5 µs per call plus 1 ns per pair of `a:` lines. */
function recordCost(input: Uint8Array): number {
  const lines = text(input).split('\n').filter((l) => l === 'a:').length;
  return 5_000 + lines * lines;
}

describe('Ladders on a quadratic record pattern', () => {
  it('climbs through the region where the growth is hidden under call overhead, to the budget', () => {
    const budgetNs = 10e6;
    const patterns = recordLadderPatterns(['\n', ':']).map((pattern) => ({ pattern, budgetNs }));
    const ladders = new Ladders(patterns, 65536);
    let best = 0;
    let first: number | undefined;
    let calls = 0;
    for (; calls < 200 && !ladders.done; calls++) {
      const rung = ladders.next();
      if (!rung) break;
      const ns = recordCost(rung.data);
      best = Math.max(best, ns);
      if (ns >= budgetNs) first ??= ns;
      ladders.feedback(ns);
    }
    // 3,163 lines cross 10 ms: the first rung over the budget is within one +50% step of it
    // (2.25x), and the ladder stops within one more step past 1.5x the budget.
    expect(first).toBeDefined();
    expect((first as number) / budgetNs).toBeLessThan(2.25);
    expect(best / budgetNs).toBeLessThan(1.5 * 2.25);
    expect(calls).toBeLessThan(70);
  });
});

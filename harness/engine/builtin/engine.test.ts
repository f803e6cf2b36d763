import { describe, expect, it } from 'vitest';
import { createMutationSource } from '../feeders.ts';
import type { InputSource } from '../input-source.ts';
import { fnv1aBytes } from '../../core/hash.ts';
import { createBuiltinEngine } from './engine.ts';

/*
 * Synthetic targets with deterministic costs (no clocks): the engine gets each input's
 * cost as its latency, so a run is exactly reproducible and a search that works here
 * works for the reason it should.
 */
const BUDGET_NS = 10e6;

function leadingRepeats(s: Uint8Array, token: readonly number[]): number {
  let k = 0;
  let i = 0;
  while (i + token.length <= s.length && token.every((b, j) => s[i + j] === b)) {
    k++;
    i += token.length;
  }
  return k;
}

/** Like /^(ab|a.)*$/: 2^k for k leading "ab" pairs when something follows that fails. */
const alternationCost = (s: Uint8Array): number => {
  const k = leadingRepeats(s, [0x61, 0x62]);
  return k * 2 === s.length ? 100 : 100 * 2 ** k;
};
/** Like a recursive evaluator of "not(" nesting: doubles per level, a parse cost per byte. */
const nestingCost = (s: Uint8Array): number => 50 * s.length + 100 * 2 ** leadingRepeats(s, [...Buffer.from('not(')]);
/** Like a header parser with a linear scan per line: quadratic in the line count. */
const quadraticCost = (s: Uint8Array): number => {
  let lines = 0;
  for (const b of s) if (b === 0x0a) lines++;
  return 200 + 5 * lines * lines;
};

interface Run {
  foundAt: number | null;
  found: Uint8Array | null;
  inputs: string[];
}

function drive(source: InputSource, cost: (s: Uint8Array) => number, maxExecs: number, keepInputs = false): Run {
  const inputs: string[] = [];
  for (let i = 0; i < maxExecs; i++) {
    const input = source.next();
    if (keepInputs) inputs.push(Buffer.from(input).toString('hex'));
    const latencyNs = cost(input);
    source.feedback(input, { latencyNs, threw: false });
    if (latencyNs > BUDGET_NS) return { foundAt: i, found: input, inputs };
  }
  return { foundAt: null, found: null, inputs };
}

const engine = (seed: number, source: string, maxLength = 65_536) =>
  createBuiltinEngine({ seed, maxLength, dictionary: [], seeds: [], timeBudgetHintNs: BUDGET_NS, targetSources: [source], coverage: 'off' });

describe('builtin engine on synthetic costs', () => {
  const targets = [
    { name: 'alternation', cost: alternationCost, source: 'const RE = /^(ab|a.)*$/;' },
    { name: 'nesting', cost: nestingCost, source: "if (w === 'not') expect('('); if (w === 'true') ok();" },
    { name: 'quadratic', cost: quadraticCost, source: "text.split('\\n')" },
  ];

  for (const t of targets) {
    it(`finds the ${t.name} blow-up on every seed, far sooner than the plain mutation source`, () => {
      const mine: number[] = [];
      for (const seed of [1, 2, 3, 4, 5]) {
        const run = drive(engine(seed, t.source), t.cost, 100_000);
        expect(run.foundAt, `seed ${seed}`).not.toBeNull();
        mine.push(run.foundAt!);
      }
      const plain = drive(createMutationSource({ seed: 1, maxLength: 65_536, dictionary: [], seeds: [] }), t.cost, 100_000);
      const median = [...mine].sort((a, b) => a - b)[2]!;
      expect(median * 10).toBeLessThan(plain.foundAt ?? Number.POSITIVE_INFINITY);
    });
  }

  it('is reproducible: same seed and costs give the same inputs, another seed others', () => {
    const capped = (s: Uint8Array): number => Math.min(alternationCost(s), BUDGET_NS / 2);
    const a = drive(engine(9, targets[0]!.source), capped, 3_000, true).inputs;
    const b = drive(engine(9, targets[0]!.source), capped, 3_000, true).inputs;
    const c = drive(engine(10, targets[0]!.source), capped, 3_000, true).inputs;
    expect(a.length).toBe(3_000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('re-measures a record before trusting it, and drops a one-off slow call', () => {
    const source = engine(3, '');
    let calls = 0;
    const seen = new Map<string, number>();
    // Every input is fast except the first run of each: a GC-pause-like outlier.
    const noisy = (s: Uint8Array): number => {
      const key = Buffer.from(s).toString('hex');
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      calls++;
      return n === 0 ? 5e6 : 500;
    };
    drive(source, noisy, 2_000);
    const stats = source.stats();
    expect(stats.rejectedRecords).toBeGreaterThan(0);
    expect(stats.remeasureRuns).toBeGreaterThan(0);
    expect(stats.topLatencyBucket).toBeLessThan(16); // 5 ms would be bucket 20
    expect(calls).toBe(2_000);
  });

  it('replays seeds first, keeps them, respects maxLength and reports what it kept', () => {
    const seeds = [Buffer.from('abab!'), Buffer.from('x'.repeat(100))];
    const source = createBuiltinEngine({ seed: 1, maxLength: 64, dictionary: ['ab'], seeds, coverage: 'off' });
    expect(Buffer.from(source.next()).toString()).toBe('abab!');
    source.feedback(seeds[0]!, { latencyNs: 1_000, threw: false });
    expect(source.next().length).toBe(64); // the long seed, truncated
    for (let i = 0; i < 5_000; i++) {
      const input = source.next();
      expect(input.length).toBeLessThanOrEqual(64);
      source.feedback(input, { latencyNs: alternationCost(input), threw: false });
    }
    const kept = source.drainInteresting();
    expect(kept.length).toBeGreaterThan(0);
    expect(new Set(kept.map(fnv1aBytes)).size).toBe(kept.length);
    expect(source.drainInteresting()).toEqual([]);
    expect(source.name).toBe('builtin-cost');
  });

  it('keeps inputs that bring new coverage ids from the loop', () => {
    const source = engine(4, '');
    let keptBefore = 0;
    for (let i = 0; i < 500; i++) {
      const input = source.next();
      // Coverage handed over by the measured loop: one id per distinct first byte.
      const ids = input.length > 0 ? Uint32Array.of(input[0]!) : new Uint32Array(0);
      source.feedback(input, { latencyNs: 300, threw: false, coverage: ids });
      if (i === 99) keptBefore = source.stats().keptForCoverage;
    }
    expect(keptBefore).toBeGreaterThan(3);
    expect(source.stats().keptForCoverage).toBeGreaterThan(keptBefore);
  });
});

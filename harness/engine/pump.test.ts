import { describe, expect, it } from 'vitest';
import type { MutationContext } from './mutate.ts';
import {
  allRepetitions,
  asNesting,
  maxCountFor,
  nestingAt,
  nextPumpCount,
  pairAt,
  pickPattern,
  pumpedLength,
  pumpMutator,
  renderPattern,
  repetitionAt,
  type PumpPattern,
} from './pump.ts';
import { createRng } from '../core/rng.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('pump patterns', () => {
  it('renders prefix + open^n + middle + close^n + suffix and predicts the length', () => {
    const p: PumpPattern = { prefix: bytes('x'), open: bytes('not('), middle: bytes('true'), close: bytes(')'), suffix: bytes('!'), count: 1 };
    expect(text(renderPattern(p, 3))).toBe('xnot(not(not(true)))!');
    expect(pumpedLength(p, 3)).toBe(renderPattern(p, 3).length);
    expect(text(renderPattern(p, 0))).toBe('xtrue!');
    expect(maxCountFor(p, 21)).toBe(3);
    expect(maxCountFor(p, 20)).toBe(2);
  });

  it('finds the maximal repetition around a position, smallest period first', () => {
    const input = bytes('xxababab!');
    const p = repetitionAt(input, 4);
    expect(p).not.toBeNull();
    // "xx" is a period-1 run too, but position 4 sits in "ababab"
    expect(text(p!.prefix)).toBe('xx');
    expect(text(p!.open)).toBe('ab');
    expect(p!.count).toBe(3);
    expect(text(p!.suffix)).toBe('!');
    expect(text(renderPattern(p!, p!.count))).toBe('xxababab!');
    expect(text(renderPattern(p!, 5))).toBe('xxababababab!');
  });

  it('returns null where nothing repeats', () => {
    expect(repetitionAt(bytes('abcdefg'), 3)).toBeNull();
  });

  it('reads a bracket nesting with the keyword before the opener', () => {
    const rng = createRng(1);
    const p = nestingAt(bytes('not(true)'), rng);
    expect(p).not.toBeNull();
    expect(text(p!.open)).toBe('not(');
    expect(text(p!.middle)).toBe('true');
    expect(text(p!.close)).toBe(')');
    expect(text(renderPattern(p!, 3))).toBe('not(not(not(true)))');
  });

  it('lists all repetitions largest first and reads openers runs as nestings', () => {
    const input = bytes('all(not(not(not(true))))');
    const reps = allRepetitions(input);
    // The period-4 run starts at "(not(not(not": its segment is read as "(not"
    const notRun = reps.find((r) => r.open.length === 4 && r.count === 3);
    expect(notRun).toBeDefined();
    const nest = asNesting(input, notRun!);
    expect(nest).not.toBeNull();
    expect(text(nest!.open)).toBe('not(');
    expect(nest!.count).toBe(3);
    expect(text(nest!.prefix)).toBe('all(');
    expect(text(nest!.middle)).toBe('true');
    expect(text(nest!.suffix)).toBe(')');
    expect(text(renderPattern(nest!, 1))).toBe('all(not(true))');
    // ")))" is also a repetition, but not one that starts with an opener
    expect(asNesting(input, reps.find((r) => text(r.open) === ')')!)).toBeNull();
  });

  it('pairs two segments, the first before the second, and renders the input back at its count', () => {
    const rng = createRng(11);
    const inputs = ['**b\naaa', '*?x\nabc', 'ab', 'x**y\nzz!'];
    for (const s of inputs) {
      for (let i = 0; i < 200; i++) {
        const pair = pairAt(bytes(s), rng)!;
        expect(text(renderPattern(pair, pair.count))).toBe(s);
        expect(pair.open.length).toBeGreaterThan(0);
        expect(pair.close.length).toBeGreaterThan(0);
        expect(pair.open.length).toBeLessThanOrEqual(4);
      }
    }
    expect(pairAt(bytes('a'), rng)).toBeNull();
  });

  it('pumps a glob and its text together: the run of stars and the run of text both grow', () => {
    const rng = createRng(3);
    const grown = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const pair = pairAt(bytes('**b\naa'), rng)!;
      grown.add(text(renderPattern(pair, pair.count + 2)));
    }
    expect(grown).toContain('****b\naaaa');
  });

  it('always yields some pattern for a non-empty input, none for the empty one', () => {
    const rng = createRng(7);
    for (let i = 0; i < 50; i++) expect(pickPattern(bytes('q7#k'), rng)).not.toBeNull();
    expect(pickPattern(new Uint8Array(0), rng)).toBeNull();
  });
});

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

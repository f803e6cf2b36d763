import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { maxCountFor, pumpedLength, renderPattern, type PumpPattern } from './pattern.ts';
import { allRepetitions, asNesting, nestingAt, pairAt, pickPattern, repetitionAt } from './pattern-find.ts';

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

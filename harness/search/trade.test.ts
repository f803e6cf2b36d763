import { describe, expect, it } from 'vitest';
import { runOfRepetition, type Run } from './pattern.ts';
import { allRepetitions } from './pattern-find.ts';
import { respliceRuns, tradeCandidates } from './trade.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const runsOf = (input: Uint8Array): Run[] =>
  allRepetitions(input, 32, 12)
    .map(runOfRepetition)
    .filter((r): r is Run => r !== null);

describe('trading repetitions', () => {
  it('re-renders runs at new counts and keeps the bytes around them', () => {
    const input = bytes('x**b\naaaaaay');
    const [text6, stars] = [
      { start: 5, unit: bytes('a'), count: 6 },
      { start: 1, unit: bytes('*'), count: 2 },
    ];
    expect(text(respliceRuns(input, [{ run: text6, count: 3 }, { run: stars, count: 4 }]))).toBe('x****b\naaay');
    expect(text(respliceRuns(input, []))).toBe('x**b\naaaaaay');
  });

  it('doubles the shorter run and halves the longer, only where the input gets shorter', () => {
    const input = bytes('**b\n' + 'a'.repeat(40));
    const candidates = tradeCandidates(input, runsOf(input)).map(text);
    expect(candidates[0]).toBe('****b\n' + 'a'.repeat(20));
    for (const c of candidates) expect(c.length).toBeLessThan(input.length);
  });

  it('grows by half when doubling would not shorten the input', () => {
    // "a*" x 4 doubled (+8 bytes) against "a\n" x 8 halved (-8 bytes) is no shorter
    const input = bytes('a*'.repeat(4) + 'b\n' + 'a\n'.repeat(8));
    const candidates = tradeCandidates(input, runsOf(input)).map(text);
    expect(candidates).toContain('a*'.repeat(6) + 'b\n' + 'a\n'.repeat(4));
  });

  it('proposes nothing for an input without two separate runs', () => {
    expect(tradeCandidates(bytes('abcdef'), runsOf(bytes('abcdef')))).toEqual([]);
    const one = bytes('zzzzzz');
    expect(tradeCandidates(one, runsOf(one))).toEqual([]);
  });
});

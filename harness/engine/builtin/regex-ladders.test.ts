import { describe, expect, it } from 'vitest';
import { regexLadderPatterns } from './regex-ladders.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('regexLadderPatterns', () => {
  it('pumps the samples of a regex literal, with and without optional atoms, before a rejected character', () => {
    const source = 'const WORDS = /^(\\w+\\s?)*$/;\nexport function fuzz(s) { return WORDS.test(s); }';
    const patterns = regexLadderPatterns([source]).map((p) => `${text(p.open)}|${text(p.suffix)}`);
    expect(patterns).toContain('a |!');
    expect(patterns).toContain('a|!');
  });

  it('uses NUL as the rejected character when the regex itself names "!"', () => {
    const patterns = regexLadderPatterns(['const R = /^(a!|a)*$/;']);
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns) expect(text(p.suffix)).toBe('\u0000');
  });

  it('finds nothing to climb in a source without regex literals', () => {
    expect(regexLadderPatterns(['export const x = "a" + 1;'])).toEqual([]);
  });
});

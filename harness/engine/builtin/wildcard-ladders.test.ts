import { describe, expect, it } from 'vitest';
import { renderPattern } from '../pump.ts';
import { Ladders } from './ladders.ts';
import { wildcardLadderPatterns } from './wildcard-ladders.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Steps of a backtracking glob match of "pattern\ntext" ('*' any run), counted up to `limit`. */
function globSteps(input: string, limit: number): number {
  const nl = input.indexOf('\n');
  if (nl < 0) return 1;
  const [pattern, subject] = [input.slice(0, nl), input.slice(nl + 1)];
  let steps = 0;
  const match = (p: number, t: number): boolean => {
    if (++steps > limit) return true; // stop counting: over the limit is all we need to know
    if (p === pattern.length) return t === subject.length;
    if (pattern[p] === '*') {
      for (let skip = t; skip <= subject.length; skip++) if (match(p + 1, skip)) return true;
      return false;
    }
    return t < subject.length && pattern[p] === subject[t] && match(p + 1, t + 1);
  };
  match(0, 0);
  return steps;
}

describe('wildcardLadderPatterns', () => {
  it('pairs each punctuation literal with each delimiter, wildcards before and after the text', () => {
    const patterns = wildcardLadderPatterns(['*', '\n', 'latin1', './types.ts']);
    expect(patterns.map((p) => text(renderPattern(p, 3)))).toEqual(['***b\naaa', 'aaa\n***b']);
  });

  it('proposes nothing without a delimiter or without punctuation, and at most the limit', () => {
    expect(wildcardLadderPatterns(['*', '?', 'latin1'])).toEqual([]);
    expect(wildcardLadderPatterns(['\n', ':', 'word'])).toEqual([]);
    expect(wildcardLadderPatterns(['*', '?', '%', '_', '\n', ':'], 4)).toHaveLength(4);
  });

  it('climbs a glob matcher to the budget in a few rungs', () => {
    const budgetNs = 10e6;
    const costNs = (input: Uint8Array): number => 100 * globSteps(text(input), 1e6);
    const ladders = new Ladders(wildcardLadderPatterns(['?', '*', '\n']).map((pattern) => ({ pattern, budgetNs })), 4096);
    let calls = 0;
    let found: string | undefined;
    for (; calls < 200 && !ladders.done && !found; calls++) {
      const rung = ladders.next();
      if (!rung) break;
      const ns = costNs(rung.data);
      if (ns >= budgetNs) found = text(rung.data);
      ladders.feedback(ns);
    }
    expect(found).toMatch(/^\*+b\na+$/);
    expect(calls).toBeLessThan(40);
  });
});

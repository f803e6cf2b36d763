import { describe, expect, it } from 'vitest';
import { renderPattern } from '../../search/pattern.ts';
import { Ladders } from './ladders.ts';
import { wildcardLadderPatterns } from './wildcard-ladders.ts';
import { globSteps } from '../../../test/support/glob-steps.ts';
import { climbToBudget } from '../../../test/support/ladders.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

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
    const { found, calls } = climbToBudget(ladders, costNs, budgetNs, 200);
    expect(found).toMatch(/^\*+b\na+$/);
    expect(calls).toBeLessThan(40);
  });
});

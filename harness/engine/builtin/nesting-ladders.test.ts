import { describe, expect, it } from 'vitest';
import { Ladders } from './ladders.ts';
import { nestingLadderPatterns } from './nesting-ladders.ts';
import { renderPattern } from '../../search/pattern.ts';
import { climbToBudget } from '../../../test/support/ladders.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('nestingLadderPatterns', () => {
  it('nests each keyword call around each word literal', () => {
    const patterns = nestingLadderPatterns(['not', 'true', '(', 'not(', ')']);
    expect(patterns.map((p) => text(renderPattern(p, 2)))).toEqual(['not(not(not))', 'not(not(true))']);
  });

  it('proposes nothing without keyword calls, and at most the limit', () => {
    expect(nestingLadderPatterns(['not', 'true', ':'])).toEqual([]);
    expect(nestingLadderPatterns(['a', 'b', 'c', 'a(', 'b[', 'c{'], 4)).toHaveLength(4);
  });

  it('climbs the exponential nesting to the budget among many rejected pairs', () => {
    const literals = ['const', 'has', 'not', 'all', 'any', 'true', 'false', '(', 'const(', 'has(', 'not(', 'all(', 'any(', ')'];
    // A parser that accepts only not(...not(true|false)...) and does 2^depth work; 2 µs for a rejected input.
    const cost = (input: Uint8Array): number => {
      const m = /^((?:not\()*)(true|false)(\)*)$/.exec(text(input));
      const depth = (m?.[1]?.length ?? 0) / 4;
      return m && m[3]?.length === depth ? 1_000 * 2 ** depth : 2_000;
    };
    const budgetNs = 10e6;
    const ladders = new Ladders(nestingLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs })), 4096);
    const { found, calls } = climbToBudget(ladders, cost, budgetNs, 2_000);
    expect(found).toMatch(/^(not\()+(true|false)\)+$/);
    expect(calls).toBeLessThan(600);
  });
});

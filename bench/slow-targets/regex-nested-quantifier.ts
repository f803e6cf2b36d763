/**
 * A word-list validator with a nested quantifier: `(\w+\s?)*` can split a run of word
 * characters in exponentially many ways, and when the match fails at the end (a trailing
 * '!') the backtracking engine tries them all.
 */
import type { SlowTargetMeta } from './types.ts';

const WORD_LIST = /^(\w+\s?)*$/;

export function fuzz(data: Buffer): void {
  WORD_LIST.test(data.toString('latin1'));
}

export const meta: SlowTargetMeta = {
  name: 'regex-nested-quantifier',
  description: 'word-list validator /^(\\w+\\s?)*$/, exponential backtracking on "aaaa…!"',
  budgetMs: 10,
  maxLength: 4096,
  growth: 'exponential',
  smallestKnownViolatingSize: 22,
  worstCase: (n) => Buffer.from('a'.repeat(n) + '!', 'latin1'),
};

/**
 * A token-stream validator with overlapping alternatives: "ab" matches both `ab` and `a.`,
 * so n pairs followed by a failing character are matched in 2^n ways before the engine
 * gives up.
 */
import type { SlowTargetMeta } from './types.ts';

const PAIRS = /^(ab|a.)*$/;

export function fuzz(data: Buffer): void {
  PAIRS.test(data.toString('latin1'));
}

export const meta: SlowTargetMeta = {
  name: 'regex-alternation',
  description: 'pair validator /^(ab|a.)*$/, exponential backtracking on "abab…ab!"',
  budgetMs: 10,
  maxLength: 4096,
  growth: 'exponential',
  smallestKnownViolatingSize: 43,
  worstCase: (n) => Buffer.from('ab'.repeat(n) + '!', 'latin1'),
};

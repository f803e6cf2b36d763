/**
 * A shell-style glob matcher ('*' any run, '?' one character) written as plain recursive
 * backtracking: every '*' tries every split of the rest of the text. With k stars and a
 * text that almost matches, that is about C(n, k) attempts. Input: "pattern\ntext".
 */
import type { SlowTargetMeta } from './types.ts';

export function globMatch(pattern: string, text: string, p = 0, t = 0): boolean {
  if (p === pattern.length) return t === text.length;
  const c = pattern[p];
  if (c === '*') {
    for (let skip = t; skip <= text.length; skip++) if (globMatch(pattern, text, p + 1, skip)) return true;
    return false;
  }
  if (t < text.length && (c === '?' || c === text[t])) return globMatch(pattern, text, p + 1, t + 1);
  return false;
}

export function fuzz(data: Buffer): void {
  const input = data.toString('latin1');
  const newline = input.indexOf('\n');
  if (newline < 0) return;
  globMatch(input.slice(0, newline), input.slice(newline + 1));
}

export const meta: SlowTargetMeta = {
  name: 'glob-matcher',
  description: 'recursive backtracking glob matcher, about C(n, k) steps for k stars against n almost-matching characters',
  budgetMs: 10,
  maxLength: 4096,
  growth: 'exponential',
  smallestKnownViolatingSize: 24,
  worstCase: (n) => Buffer.from('*'.repeat(n) + 'b\n' + 'a'.repeat(n), 'latin1'),
};

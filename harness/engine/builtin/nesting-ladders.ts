/**
 * Nesting ladders: a keyword call nested in itself around a terminal word. Pure.
 *
 * A recursive evaluator that does its sub-rule's work twice per level (once to decide, once
 * more to explain) is exponential in the nesting depth, and `not(not(…not(true)…))` is the
 * shortest input that shows it. The keyword calls are the target's own literals joined to an
 * opening bracket (literals.ts keywordCompounds: 'not' and '(' give "not("); the terminal is
 * another word literal ("true"). Most pairs are rejected by the parser at once and cost a few
 * fast calls each; the ladders climb round-robin, so the one that grows reaches the budget in
 * a few rungs whichever place it has.
 */
import type { PumpPattern } from '../../search/pattern.ts';

const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}', '<': '>' };
const WORD = /^[A-Za-z_$][\w$-]{0,15}$/;
const MAX_LADDERS = 64;
const EMPTY = new Uint8Array(0);

/** Pump patterns `call^n + terminal + closer^n` for the keyword calls among `literals`, at most `limit`. */
export function nestingLadderPatterns(literals: readonly string[], limit = MAX_LADDERS): PumpPattern[] {
  const words = [...new Set(literals.filter((w) => WORD.test(w)))];
  const known = new Set(words);
  const calls = [...new Set(literals.filter((t) => t.length > 1 && CLOSERS[t.slice(-1)] !== undefined && known.has(t.slice(0, -1))))];
  const patterns: PumpPattern[] = [];
  for (const call of calls) {
    const closer = CLOSERS[call.slice(-1)] as string;
    for (const terminal of words) {
      if (patterns.length >= limit) return patterns;
      patterns.push({
        prefix: EMPTY,
        open: Buffer.from(call, 'latin1'),
        middle: Buffer.from(terminal, 'latin1'),
        close: Buffer.from(closer, 'latin1'),
        suffix: EMPTY,
        count: 1,
      });
    }
  }
  return patterns;
}

/**
 * Wildcard ladders: a run of wildcards against a run of text they almost match. Pure.
 *
 * A backtracking matcher (glob, SQL LIKE, a route or topic pattern) tries every split of the
 * text for each wildcard, so k wildcards followed by a character that never matches cost
 * about C(n + k, k) attempts against n characters of text: exponential when both grow, and
 * cheap when only one does, which is why pumping one part of an input rarely finds it. The
 * wildcards are the target's single-character punctuation literals (`c === '*'`, `'?'`), the
 * boundary between pattern and text is one of its delimiter or separator literals (`'\n'`,
 * `':'`), and the ladder pumps both sides together:
 *
 *     wildcard^n + 'b' + delimiter + 'a'^n      (and text first: 'a'^n + delimiter + wildcard^n + 'b')
 *
 * A target without a delimiter or without punctuation literals gets no wildcard ladders; a
 * target that treats the run as plain text climbs a few fast, flat rungs and is dropped.
 */
import type { PumpPattern } from '../../search/pattern.ts';
import { FIELD_SEPARATORS, RECORD_DELIMITERS } from './record-ladders.ts';

/** Printable ASCII that is neither a letter, a digit nor a space. */
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;
/** The character after the wildcards that the text never matches, and the text. */
const MISMATCH = 'b';
const TEXT = 'a';
const MAX_LADDERS = 8;
const EMPTY = new Uint8Array(0);

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Pump patterns pairing each wildcard literal with each delimiter literal, both orders, at most `limit`. */
export function wildcardLadderPatterns(literals: readonly string[], limit = MAX_LADDERS): PumpPattern[] {
  const present = new Set(literals);
  const boundaries = [...RECORD_DELIMITERS, ...FIELD_SEPARATORS].filter((d) => present.has(d));
  const wildcards = [...present].filter((c) => PUNCTUATION.test(c) && !boundaries.includes(c));
  const patterns: PumpPattern[] = [];
  for (const wildcard of wildcards) {
    for (const boundary of boundaries) {
      if (patterns.length + 2 > limit) return patterns;
      patterns.push(
        { prefix: EMPTY, open: bytes(wildcard), middle: bytes(MISMATCH + boundary), close: bytes(TEXT), suffix: EMPTY, count: 1 },
        { prefix: EMPTY, open: bytes(TEXT), middle: bytes(boundary), close: bytes(wildcard), suffix: bytes(MISMATCH), count: 1 },
      );
    }
  }
  return patterns;
}

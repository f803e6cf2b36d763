/**
 * Regex ladders: ReDoS candidates built from the regex literals in a target's source, and
 * climbed before blind fuzzing starts. Pure: sources and measured latencies in, inputs out.
 *
 * A quantified group that can match the same text in many ways (`(\w+\s?)*`, `(ab|a.)*`)
 * backtracks super-linearly when the match fails at the end, so the classic attack is
 * `sample^n + rejected character`, where the sample is what the group matches. literals.ts
 * already derives group samples from a regex source; each (sample, rejected suffix) becomes a
 * pump pattern, climbed by ladders.ts.
 */
import { lexLiterals, regexSamples } from './literals.ts';
import type { PumpPattern } from '../../search/pattern.ts';

/** A character most regexes reject where a word, space or delimiter was expected; NUL where the regex names '!'. */
const rejectedSuffix = (regex: string): string => (regex.includes('!') ? '\u0000' : '!');
const MAX_SAMPLE_LENGTH = 16;
const MAX_LADDERS = 16;

const EMPTY = new Uint8Array(0);

/** Pump patterns `sample^n + suffix` for the regex literals found in `sources`, at most `limit`. */
export function regexLadderPatterns(sources: readonly string[], limit = MAX_LADDERS): PumpPattern[] {
  const patterns: PumpPattern[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const regex of lexLiterals(source).regexSources) {
      const suffix = rejectedSuffix(regex);
      for (const sample of regexSamples(regex)) {
        const key = `${sample}\u0001${suffix}`;
        if (sample.length > MAX_SAMPLE_LENGTH || seen.has(key)) continue;
        seen.add(key);
        patterns.push({ prefix: EMPTY, open: Buffer.from(sample, 'latin1'), middle: EMPTY, close: EMPTY, suffix: Buffer.from(suffix, 'latin1'), count: 1 });
        if (patterns.length >= limit) return patterns;
      }
    }
  }
  return patterns;
}


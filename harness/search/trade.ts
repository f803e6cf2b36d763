/**
 * Trading repetitions: a shrinking move for inputs whose cost grows with two parts at once.
 * Pure: candidates in, bytes out; the shrinker asks its oracle which still violate.
 *
 * Removing bytes only ever makes such an input cheaper, so delta debugging stops at the
 * smallest input of the shape it was given. A glob matcher found with 2 stars against
 * 1,000 characters of text costs about C(1000, 2) steps; the same cost needs only about 12
 * stars against 12 characters, 24 bytes instead of 1,000. A trade doubles the copies of a
 * shorter repeated run and halves those of a longer one, so the input gets shorter while
 * its cost may stay over the budget; the shrinker's count search then cuts the longer run
 * further, and the next round trades again, walking toward the balanced shape.
 */
import { runEnd, type Run } from './pattern.ts';

/** How many trade candidates one call proposes at most. */
const MAX_CANDIDATES = 16;
/** The longest runs considered as the one to halve. */
const LONG_RUNS = 4;

function overlaps(a: Run, b: Run): boolean {
  return a.start < runEnd(b) && b.start < runEnd(a);
}

/** `input` with each of the (non-overlapping) runs rendered at its new count. */
export function respliceRuns(input: Uint8Array, changes: ReadonlyArray<{ run: Run; count: number }>): Uint8Array {
  const sorted = [...changes].sort((a, b) => a.run.start - b.run.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const { run, count } of sorted) {
    parts.push(input.subarray(at, run.start));
    for (let i = 0; i < count; i++) parts.push(run.unit);
    at = runEnd(run);
  }
  parts.push(input.subarray(at));
  return Buffer.concat(parts);
}

/**
 * Shorter inputs that trade a long run for more copies of a shorter one: the shorter run
 * doubled (or grown by half, when doubling would not shorten the input) and the longer one
 * halved. Longest runs to halve first; at most MAX_CANDIDATES.
 */
export function tradeCandidates(input: Uint8Array, runs: readonly Run[]): Uint8Array[] {
  const bytesOf = (r: Run): number => r.unit.length * r.count;
  const byLength = [...runs].sort((a, b) => bytesOf(b) - bytesOf(a));
  const out: Uint8Array[] = [];
  for (const long of byLength.slice(0, LONG_RUNS)) {
    for (const short of byLength) {
      if (out.length >= MAX_CANDIDATES) return out;
      if (short === long || overlaps(short, long) || bytesOf(short) >= bytesOf(long)) continue;
      const halved = Math.max(1, Math.floor(long.count / 2));
      for (const grown of [short.count * 2, Math.ceil(short.count * 1.5)]) {
        const candidate = respliceRuns(input, [
          { run: short, count: grown },
          { run: long, count: halved },
        ]);
        if (candidate.length < input.length) {
          out.push(candidate);
          break;
        }
      }
    }
  }
  return out;
}

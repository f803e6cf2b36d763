/**
 * A deterministic cost for tests: the steps of a recursive backtracking glob match ('*' any
 * run) of "pattern\ntext", the engine bench's glob matcher counted instead of timed. About
 * C(text + stars, stars) when the pattern's tail never matches.
 */

/** Steps of matching `input` ("pattern\ntext"), counted up to `limit` (limit + 1 means over it). */
export function globSteps(input: string, limit: number): number {
  const nl = input.indexOf('\n');
  if (nl < 0) return 0;
  const pattern = input.slice(0, nl);
  const subject = input.slice(nl + 1);
  let steps = 0;
  const match = (p: number, t: number): boolean => {
    if (++steps > limit) throw new RangeError('over the limit');
    if (p === pattern.length) return t === subject.length;
    if (pattern[p] === '*') {
      for (let skip = t; skip <= subject.length; skip++) if (match(p + 1, skip)) return true;
      return false;
    }
    return t < subject.length && pattern[p] === subject[t] && match(p + 1, t + 1);
  };
  try {
    match(0, 0);
  } catch (e) {
    if (e instanceof RangeError) return limit + 1;
    throw e;
  }
  return steps;
}

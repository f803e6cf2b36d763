/**
 * Order statistics of samples. The harness decides on measured values: there is one quantile
 * rule, nearest rank, and medianLow is its q = 0.5, always a value that was measured (never an
 * average of two), so "the median exceeds the budget" means at least half the measurements did.
 * medianInterpolated is the textbook estimate of a distribution's middle (the mean of the two
 * middle values for an even count), for the benches' statistics, which report a central value
 * rather than decide on one.
 */

/**
 * Exact nearest-rank quantile (q in (0,1]) of an unsorted list: the smallest value with at
 * least q of the values at or below it. Null when empty; the input is not modified.
 */
export function quantileNearestRank(values: ArrayLike<number>, q: number): number | null {
  if (values.length === 0) return null;
  // A typed copy sorts numerically and far faster than an array of boxed numbers (1e6 lags).
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? null;
}

/** The median by nearest rank: the middle value, the lower middle one for an even count; NaN when empty. */
export function medianLow(values: ArrayLike<number>): number {
  return quantileNearestRank(values, 0.5) ?? Number.NaN;
}

/** The middle value, the mean of the two middle ones for an even count; NaN when empty. */
export function medianInterpolated(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

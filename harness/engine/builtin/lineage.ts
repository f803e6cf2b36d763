/**
 * Pumping with a memory (pump.ts): a kept pumped input remembers the pattern it renders and the
 * rendering it was grown from, so its children are pumped in steps extrapolated from the growth
 * so far, and a child whose latency grew super-linearly over its parent is a record to climb.
 */
import type { Rng } from '../../core/rng.ts';
import { maxCountFor, pumpedLength, renderPattern, type PumpPattern } from '../../search/pattern.ts';
import { pickPattern } from '../../search/pattern-find.ts';
import { nextPumpCount, type PumpPoint } from '../pump.ts';
import type { CorpusEntry } from './corpus.ts';

/** A pumped child this much slower than its parent rendering, growing faster than length^SUPER_LINEAR, is kept. */
const LINEAGE_GROWTH = 1.5;
const SUPER_LINEAR = 1.5;

/** Where a pumped input comes from: the pattern it renders and the rendering it was grown from. */
export interface Lineage {
  pattern: PumpPattern;
  from: PumpPoint | null;
}

/**
 * A pumped child of `parent`: its own pattern grown further, or a newly picked pattern.
 * The step depends on how close the parent's latency is to the budget and, when the
 * parent was itself pumped, on the growth seen from its own parent (nextPumpCount).
 */
export function pumpChild(parent: CorpusEntry, budgetNs: number, maxLength: number, rng: Rng): { data: Uint8Array; lineage: Lineage } | null {
  const own = parent.pattern !== null && rng.chance(0.8);
  const pattern = own ? parent.pattern : pickPattern(parent.data, rng);
  if (!pattern) return null;
  const cap = maxCountFor(pattern, maxLength);
  const previous = own ? parent.pumpedFrom : null;
  const n = Math.min(cap, nextPumpCount(pattern.count, parent.latencyNs, budgetNs, rng, previous));
  if (n <= pattern.count) return null;
  return {
    data: renderPattern(pattern, n),
    lineage: { pattern: { ...pattern, count: n }, from: { count: pattern.count, latencyNs: parent.latencyNs } },
  };
}

/**
 * Whether a latency for a pumped child of `length` bytes is a growth record over the
 * rendering it was pumped from: at least LINEAGE_GROWTH times slower, and growing faster
 * than length^SUPER_LINEAR (a linear parser is not a find; a quadratic or exponential one is).
 */
export function superLinearGrowth(lineage: Lineage | null, length: number): (ns: number) => boolean {
  const from = lineage?.from;
  if (!lineage || !from || from.latencyNs <= 0) return () => false;
  const lengthRatio = length / Math.max(1, pumpedLength(lineage.pattern, from.count));
  if (lengthRatio <= 1) return () => false;
  return (ns) => {
    const ratio = ns / from.latencyNs;
    return ratio > LINEAGE_GROWTH && Math.log(ratio) / Math.log(lengthRatio) > SUPER_LINEAR;
  };
}

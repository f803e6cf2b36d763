/**
 * Findings of one root cause. A cost-guided fuzzer that finds a blow-up keeps pumping it,
 * so one run often reports a dozen violations that differ only in how many times a segment
 * repeats ("- ? ? ? …" at 356, 359 and 416 bytes). Minimising each costs the same probe time
 * and the report shows the same card a dozen times. The family key collapses every run of a
 * repeated unit (period 1-8, at least MIN_REPEATS copies) to one copy marked as repeated, so
 * inputs that differ only in repetition counts share a key. Pure: no I/O, no clocks.
 */
import { copiesAt } from './pattern.ts';

/** A unit must repeat at least this often to count as pumped. */
export const MIN_REPEATS = 4;
const MAX_PERIOD = 8;

/**
 * The input with each pumped run replaced by `unit` + a repetition marker. At every position
 * the period covering the most bytes wins (the shortest on ties), so "abababab" collapses
 * as (ab)+ rather than staying literal.
 */
export function familyKey(bytes: Uint8Array): string {
  const parts: string[] = [];
  let literal: number[] = [];
  const flush = (): void => {
    if (literal.length > 0) parts.push(`L${Buffer.from(literal).toString('hex')}`);
    literal = [];
  };
  let i = 0;
  while (i < bytes.length) {
    let best = { period: 0, copies: 0 };
    for (let period = 1; period <= MAX_PERIOD && i + period * MIN_REPEATS <= bytes.length; period++) {
      const copies = copiesAt(bytes, i, period);
      if (copies >= MIN_REPEATS && copies * period > best.copies * best.period) best = { period, copies };
    }
    if (best.period === 0) {
      literal.push(bytes[i] ?? 0);
      i++;
      continue;
    }
    flush();
    parts.push(`R${Buffer.from(bytes.subarray(i, i + best.period)).toString('hex')}`);
    i += best.period * best.copies;
  }
  flush();
  return parts.join('.');
}

export interface Family<T> {
  key: string;
  /** Members in their original order. */
  members: T[];
}

/** Groups items by the family key of their input, keeping first-seen order of families and members. */
export function groupIntoFamilies<T>(items: readonly T[], inputOf: (item: T) => Uint8Array): Family<T>[] {
  const families = new Map<string, Family<T>>();
  for (const item of items) {
    const key = familyKey(inputOf(item));
    const family = families.get(key);
    if (family) family.members.push(item);
    else families.set(key, { key, members: [item] });
  }
  return [...families.values()];
}

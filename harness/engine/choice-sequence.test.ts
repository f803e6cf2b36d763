import v8 from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createChoiceFeeder, encodedFromChoices, valueFromChoices } from './choice-sequence.ts';
import { createMutationSource } from './feeders.ts';
import { createRng } from '../core/rng.ts';

const order = fc.record({ items: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }), mode: fc.constantFrom('sum', 'max', 'min') });

function randomBytes(seed: number, n: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

describe('valueFromChoices', () => {
  it('maps the same bytes to the same value, every time', () => {
    for (let seed = 0; seed < 50; seed++) {
      const bytes = randomBytes(seed, 64);
      expect(valueFromChoices(order, bytes)).toEqual(valueFromChoices(order, bytes));
    }
  });

  it('maps every byte string (empty, short, long) to a valid value of the arbitrary', () => {
    const valid = (v: { items: number[]; mode: string }): boolean =>
      Array.isArray(v.items) && v.items.length <= 20 && v.items.every((x) => Number.isInteger(x) && x >= 0 && x <= 1000) && ['sum', 'max', 'min'].includes(v.mode);
    expect(valid(valueFromChoices(order, new Uint8Array(0)))).toBe(true);
    for (let seed = 0; seed < 200; seed++) expect(valid(valueFromChoices(order, randomBytes(seed, seed % 97)))).toBe(true);
  });

  it('spreads over the value space: different bytes give many different values', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) seen.add(JSON.stringify(valueFromChoices(order, randomBytes(seed, 32))));
    expect(seen.size).toBeGreaterThan(150);
  });

  it('is local: changing the last word keeps most of a long value', () => {
    const list = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 30, maxLength: 30 });
    const bytes = randomBytes(7, 4 * 40);
    const changed = bytes.slice();
    changed[4 * 25] = (changed[4 * 25] as number) ^ 0xff;
    const a = valueFromChoices(list, bytes);
    const b = valueFromChoices(list, changed);
    const same = a.filter((x, i) => x === b[i]).length;
    expect(same).toBeGreaterThanOrEqual(20);
  });

  it('encodes the value in the saved (structured-clone) form', () => {
    const bytes = randomBytes(3, 40);
    expect(v8.deserialize(encodedFromChoices(order, bytes))).toEqual(valueFromChoices(order, bytes));
  });
});

describe('createChoiceFeeder', () => {
  it('replays saved seeds first, then feeds values from the engine bytes, deterministically', () => {
    const seed = new Uint8Array(v8.serialize({ items: [1, 2], mode: 'sum' }));
    const run = (): unknown[] => {
      const source = createMutationSource({ seed: 11, maxLength: 256, dictionary: [], seeds: [] });
      const feeder = createChoiceFeeder(order, source, [seed], 65536);
      return Array.from({ length: 20 }, () => {
        const input = feeder.next();
        feeder.feedback(input, { latencyNs: 1000, threw: false });
        expect(v8.deserialize(input.bytes)).toEqual(input.value);
        return input.value;
      });
    };
    const first = run();
    expect(first[0]).toEqual({ items: [1, 2], mode: 'sum' });
    expect(run()).toEqual(first);
  });
});

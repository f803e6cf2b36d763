import { describe, expect, it } from 'vitest';
import { fnv1aBytes, fnv1aString } from './hash.ts';

const enc = new TextEncoder();

// Values computed by the copies these functions replaced: saved corpora, choice-sequence
// replays and chaos streams depend on them staying exactly the same.
describe('fnv1aString', () => {
  it('keeps the values the chaos streams were seeded with', () => {
    expect(['', 'a', 'db', 'tail', 'héllo'].map(fnv1aString)).toEqual([2166136261, 3826002220, 1461503683, 255436899, 4058363231]);
  });
});

describe('fnv1aBytes', () => {
  it('keeps the values kept-input ids were computed with', () => {
    const inputs = [new Uint8Array(), enc.encode('a'), enc.encode('hello'), new Uint8Array([0, 255, 7])];
    expect(inputs.map(fnv1aBytes)).toEqual([2166136261, 3842779839, 1407184376, 2208126096]);
  });

  it('folds the length in: a trailing zero byte changes the hash', () => {
    expect(fnv1aBytes(new Uint8Array([1]))).not.toBe(fnv1aBytes(new Uint8Array([1, 0])));
  });
});

import { describe, expect, it } from 'vitest';
import { generationSeed, mixSeed, namedStreamSeed } from './seed.ts';

// Values computed by the copies these functions replaced: a saved seed must replay the same run.
describe('seed derivations', () => {
  it('mixSeed keeps its values', () => {
    expect([mixSeed(), mixSeed(42), mixSeed(42, 1, 2, 3), mixSeed(0xffffffff, -1)]).toEqual([2654435769, 2599351197, 284577039, 1808025793]);
  });

  it('generationSeed keeps its values, generation 0 being the run seed', () => {
    expect([generationSeed(1, 0), generationSeed(1, 1), generationSeed(0xffffffff, 3), generationSeed(42, 100000)]).toEqual([1, 2654435762, 3668339986, 1712305354]);
  });

  it('namedStreamSeed keeps its values and separates names', () => {
    expect([namedStreamSeed(3, 'a'), namedStreamSeed(3, 'b'), namedStreamSeed(0xdeadbeef, 'payments')]).toEqual([1051345983, 1034567926, 1451297817]);
  });
});

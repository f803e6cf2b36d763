/**
 * Byte engines driving fast-check arbitraries: the input bytes are the arbitrary's random
 * choices (a "choice sequence", as in Hypothesis). fast-check draws every decision (a
 * length, a branch of oneof, an integer) from its Random; here that Random reads the bytes
 * four at a time as int32 words, so a byte-level mutation changes a few decisions and keeps
 * the rest of the value: coverage- and cost-guided byte engines (Jazzer.js/libFuzzer, the
 * builtin engine) keep and mutate structured values meaningfully. When the bytes run out,
 * the remaining choices come from a generator seeded with the bytes' hash, so every byte
 * string (even an empty one) maps to one valid value, deterministically.
 *
 * The value's identity (what is saved, replayed and shrunk) stays its structured-clone
 * serialisation, the format arbitrary scenarios use everywhere else; the choice bytes are
 * only the engine's handle on it.
 */
import v8 from 'node:v8';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { CallFeedback, InputSource } from './input-source.ts';
import type { FedInput, Feeder } from './feeders.ts';
import { fnv1aBytes } from '../core/hash.ts';
import { createRng } from '../core/rng.ts';

/** pure-rand's RandomGenerator shape (what fc.Random wraps). */
interface WordGenerator {
  clone(): WordGenerator;
  next(): number;
  getState(): readonly number[];
}

/** A generator that yields the bytes as little-endian int32 words, then a seeded stream. */
function bytesGenerator(bytes: Uint8Array, offset: number, fallback: () => number): WordGenerator {
  let at = offset;
  const gen: WordGenerator = {
    clone: () => bytesGenerator(bytes, at, fallback),
    next() {
      if (at >= bytes.length) return fallback();
      let word = 0;
      for (let i = 0; i < 4; i++) word |= (at + i < bytes.length ? (bytes[at + i] as number) : 0) << (8 * i);
      at += 4;
      return word | 0;
    },
    getState: () => [at],
  };
  return gen;
}

/** The value `arbitrary` generates from `choices`; the same bytes always give the same value. */
export function valueFromChoices<T>(arbitrary: Arbitrary<T>, choices: Uint8Array): T {
  const rng = createRng(fnv1aBytes(choices));
  const fallback = (): number => Math.floor(rng.next() * 0x100000000) | 0;
  const random = new fc.Random(bytesGenerator(choices, 0, fallback));
  return arbitrary.generate(random, undefined).value;
}

/** The structured-clone bytes of the value `choices` maps to (the saved identity). */
export function encodedFromChoices(arbitrary: Arbitrary<unknown>, choices: Uint8Array): Uint8Array {
  return new Uint8Array(v8.serialize(valueFromChoices(arbitrary, choices)));
}

/**
 * Feeds values of `arbitrary` from a byte engine. Saved seeds (structured-clone values)
 * are replayed first as they are; then each engine input is mapped through the choice
 * sequence. Feedback goes to the engine under the choice bytes it produced.
 */
export function createChoiceFeeder(arbitrary: Arbitrary<unknown>, source: InputSource, encodedSeeds: Uint8Array[], maxLength: number): Feeder {
  let seedCursor = 0;
  let lastChoices: Uint8Array | null = null;
  let lastFed: FedInput | null = null;
  const MAX_TRIES = 16;
  return {
    engine: source.name,
    next() {
      while (seedCursor < encodedSeeds.length) {
        const bytes = encodedSeeds[seedCursor++] as Uint8Array;
        try {
          lastChoices = null;
          return { bytes, value: v8.deserialize(bytes) };
        } catch {
          // not a structured-clone value: skipped
        }
      }
      for (let tries = 0; ; tries++) {
        const choices = source.next();
        const value = valueFromChoices(arbitrary, choices);
        const bytes = new Uint8Array(v8.serialize(value));
        if (bytes.length <= maxLength || tries >= MAX_TRIES) {
          lastChoices = choices;
          lastFed = { value, bytes };
          return lastFed;
        }
        // Too large to save: tell the engine it was worthless and draw again.
        source.feedback(choices, { latencyNs: 0, threw: false });
      }
    },
    feedback(input: FedInput, result: CallFeedback) {
      if (lastChoices && input === lastFed) source.feedback(lastChoices, result);
      lastChoices = null;
    },
    drainInteresting() {
      return source.drainInteresting().map((choices) => encodedFromChoices(arbitrary, choices));
    },
  };
}

/**
 * Feeders turn an input engine's bytes into the value a target receives (Buffer, string,
 * structured value) and keep the bytes that identify the input, so that any call can be
 * saved and replayed. Used inside the isolate's measured loop.
 */
import v8 from 'node:v8';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { CallFeedback, InputSource } from './input-source.ts';
import { mutate, type MutationContext } from './mutate.ts';
import { createRng } from '../core/rng.ts';

export interface FedInput {
  /** What the target receives. */
  value: unknown;
  /** The input's identity: raw bytes, or the structured-clone serialisation of a value. */
  bytes: Uint8Array;
}

export interface Feeder {
  readonly engine: string;
  next(): FedInput;
  feedback(input: FedInput, result: CallFeedback): void;
  /** Inputs (in their saved encoding) the engine kept since the last call, for the corpus. */
  drainInteresting?(): Uint8Array[];
}

export type InputEncoding = 'bytes' | 'utf8' | 'v8';

export function encodingFor(type: 'bytes' | 'string' | 'arbitrary'): InputEncoding {
  return type === 'bytes' ? 'bytes' : type === 'string' ? 'utf8' : 'v8';
}

/** Decodes saved input bytes into the value the target receives. */
export function decodeInput(bytes: Uint8Array, encoding: InputEncoding): unknown {
  if (encoding === 'bytes') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'utf8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return v8.deserialize(bytes);
}

export interface MutationSourceOptions {
  seed: number;
  maxLength: number;
  dictionary: string[];
  seeds: Uint8Array[];
}

/**
 * The foundation engine: replays every seed once, in order, then mutates seeds and
 * previously generated inputs (havoc-style edits, dictionary splices, crossover).
 * Deterministic for a seed; it ignores cost feedback.
 */
export function createMutationSource(opts: MutationSourceOptions): InputSource {
  const rng = createRng(opts.seed);
  const seeds = opts.seeds.map((s) => (s.length > opts.maxLength ? s.slice(0, opts.maxLength) : s));
  const pool: Uint8Array[] = seeds.length > 0 ? [...seeds] : [new Uint8Array(0)];
  const ctx: MutationContext = {
    rng,
    maxLength: opts.maxLength,
    dictionary: opts.dictionary.map((t) => Buffer.from(t, 'utf8')),
    corpus: pool,
  };
  let seedCursor = 0;
  let generated = 0;
  return {
    name: 'builtin',
    next() {
      if (seedCursor < seeds.length) return seeds[seedCursor++] as Uint8Array;
      const parent = rng.pick(pool);
      const child = mutate(parent, ctx);
      // Keep a bounded rolling pool so mutations compound without unbounded memory.
      generated++;
      if (generated % 16 === 0) {
        if (pool.length < 256) pool.push(child);
        else pool[seeds.length + rng.int(256 - seeds.length)] = child;
      }
      return child;
    },
    feedback() {},
    drainInteresting: () => [],
  };
}

/** Feeds raw bytes (as a Buffer view) or UTF-8 strings from a byte-level engine. */
export function createByteFeeder(source: InputSource, type: 'bytes' | 'string'): Feeder {
  const asString = type === 'string';
  return {
    engine: source.name,
    next() {
      const bytes = source.next();
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { bytes, value: asString ? buf.toString('utf8') : buf };
    },
    feedback(input, result) {
      source.feedback(input.bytes, result);
    },
    drainInteresting: () => source.drainInteresting(),
  };
}

/**
 * Feeds values from a fast-check arbitrary: seeds first (structured-clone bytes), then
 * values sampled in seeded batches, so a run's values replay from its seed.
 */
export function createArbitraryFeeder(arbitrary: Arbitrary<unknown>, seed: number, seeds: Uint8Array[], maxLength: number): Feeder {
  const BATCH = 512;
  let batch: unknown[] = [];
  let cursor = 0;
  let batchIndex = 0;
  let seedCursor = 0;
  const batchRng = createRng(seed);
  return {
    engine: 'fast-check',
    next() {
      while (seedCursor < seeds.length) {
        const bytes = seeds[seedCursor++] as Uint8Array;
        try {
          return { bytes, value: v8.deserialize(bytes) };
        } catch {
          // A seed that is not a structured-clone value is skipped, not fatal.
        }
      }
      for (;;) {
        if (cursor >= batch.length) {
          batch = fc.sample(arbitrary, { seed: Math.floor(batchRng.next() * 0x7fffffff) ^ batchIndex, numRuns: BATCH });
          batchIndex++;
          cursor = 0;
        }
        const value = batch[cursor++];
        const bytes = v8.serialize(value);
        if (bytes.length <= maxLength) return { value, bytes };
      }
    },
    feedback() {},
  };
}

/**
 * Skips inputs that already hung or crashed an earlier worker, so one bad input does not
 * spend the budget on restarts. Checks the length first: the common case costs one lookup.
 */
export function avoidingKnownInputs(feeder: Feeder, avoid: readonly Uint8Array[]): Feeder {
  if (avoid.length === 0) return feeder;
  const lengths = new Set(avoid.map((a) => a.length));
  const keys = new Set(avoid.map((a) => Buffer.from(a).toString('latin1')));
  const MAX_SKIPS = 64;
  return {
    engine: feeder.engine,
    next() {
      let input = feeder.next();
      for (let i = 0; i < MAX_SKIPS && lengths.has(input.bytes.length) && keys.has(Buffer.from(input.bytes).toString('latin1')); i++) {
        input = feeder.next();
      }
      return input;
    },
    feedback: (input, result) => feeder.feedback(input, result),
    drainInteresting: () => feeder.drainInteresting?.() ?? [],
  };
}

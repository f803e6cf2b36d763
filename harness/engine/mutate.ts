/**
 * Byte-level mutation of corpus entries: the havoc-style edits every fuzzer has. Pure:
 * all randomness comes from the injected Rng, so a seed replays the same inputs.
 */
import type { Rng } from './rng.ts';

export interface MutationContext {
  rng: Rng;
  /** Mutants are truncated to this many bytes. */
  maxLength: number;
  /** Tokens to splice in (format keywords, delimiters, literals found in the target). */
  dictionary: readonly Uint8Array[];
  /** Other corpus entries, for crossover. */
  corpus: readonly Uint8Array[];
}

export type Mutator = (input: Uint8Array, ctx: MutationContext) => Uint8Array;

const INTERESTING_BYTES = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x0d, 0x22, 0x27, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d];

const flipBit: Mutator = (input, { rng }) => {
  if (input.length === 0) return randomBytes(rng, 1 + rng.int(8));
  const out = Uint8Array.from(input);
  const i = rng.int(out.length);
  out[i] = (out[i] ?? 0) ^ (1 << rng.int(8));
  return out;
};

const setByte: Mutator = (input, { rng }) => {
  if (input.length === 0) return Uint8Array.of(rng.pick(INTERESTING_BYTES));
  const out = Uint8Array.from(input);
  out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
  return out;
};

const insertBytes: Mutator = (input, { rng }) => {
  const at = rng.int(input.length + 1);
  const chunk = rng.chance(0.5) ? randomBytes(rng, 1 + rng.int(16)) : printableBytes(rng, 1 + rng.int(16));
  return concat(input.subarray(0, at), chunk, input.subarray(at));
};

const deleteRange: Mutator = (input, { rng }) => {
  if (input.length <= 1) return input;
  const start = rng.int(input.length);
  const len = 1 + rng.int(Math.min(32, input.length - start));
  return concat(input.subarray(0, start), input.subarray(start + len));
};

const duplicateRange: Mutator = (input, { rng }) => {
  if (input.length === 0) return input;
  const start = rng.int(input.length);
  const len = 1 + rng.int(Math.min(64, input.length - start));
  const chunk = input.subarray(start, start + len);
  const times = 1 + rng.int(8);
  const parts: Uint8Array[] = [input.subarray(0, start + len)];
  for (let t = 0; t < times; t++) parts.push(chunk);
  parts.push(input.subarray(start + len));
  return concat(...parts);
};

const spliceToken: Mutator = (input, ctx) => {
  if (ctx.dictionary.length === 0) return insertBytes(input, ctx);
  const token = ctx.rng.pick(ctx.dictionary);
  const at = ctx.rng.int(input.length + 1);
  if (ctx.rng.chance(0.5) || input.length === 0) return concat(input.subarray(0, at), token, input.subarray(at));
  const end = Math.min(input.length, at + token.length);
  return concat(input.subarray(0, at), token, input.subarray(end));
};

const crossover: Mutator = (input, ctx) => {
  if (ctx.corpus.length === 0) return duplicateRange(input, ctx);
  const other = ctx.rng.pick(ctx.corpus);
  const cutA = ctx.rng.int(input.length + 1);
  const cutB = ctx.rng.int(other.length + 1);
  return concat(input.subarray(0, cutA), other.subarray(cutB));
};

/** The default mutators with their relative weights. */
export const DEFAULT_MUTATORS: ReadonlyArray<readonly [Mutator, number]> = [
  [flipBit, 2],
  [setByte, 3],
  [insertBytes, 3],
  [deleteRange, 2],
  [duplicateRange, 2],
  [spliceToken, 3],
  [crossover, 1],
];

/** Applies 1-4 stacked mutations and truncates to `maxLength`. */
export function mutate(input: Uint8Array, ctx: MutationContext, mutators = DEFAULT_MUTATORS): Uint8Array {
  const total = mutators.reduce((sum, [, w]) => sum + w, 0);
  let out = input;
  const rounds = 1 + ctx.rng.int(4);
  for (let r = 0; r < rounds; r++) {
    let pick = ctx.rng.next() * total;
    for (const [mutator, weight] of mutators) {
      pick -= weight;
      if (pick < 0) {
        out = mutator(out, ctx);
        break;
      }
    }
  }
  return out.length > ctx.maxLength ? out.slice(0, ctx.maxLength) : out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function printableBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 0x20 + rng.int(95);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

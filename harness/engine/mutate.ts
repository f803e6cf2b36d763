/**
 * Byte-level mutation of corpus entries: the havoc-style edits every fuzzer has, string
 * edits that matter for text parsers and regexes (character runs, token runs, a failing
 * last character), and pattern pumping (pump.ts). Pure: all randomness comes from the
 * injected Rng, so a seed replays the same inputs.
 */
import type { Rng } from '../core/rng.ts';
import { maxCountFor, renderPattern } from '../search/pattern.ts';
import { pickPattern } from '../search/pattern-find.ts';

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
/** Delimiters of text formats: where a structured input's tokens start and end. */
const DELIMITERS = [0x28, 0x29, 0x2c, 0x3a, 0x3b, 0x3d, 0x26, 0x7c, 0x2f, 0x5c, 0x22, 0x27, 0x20, 0x0a, 0x5b, 0x5d, 0x7b, 0x7d, 0x3c, 0x3e];

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

/**
 * Where to put a token: half the time at a token boundary (the ends, or next to a
 * delimiter), where a parser looks for the next token; otherwise anywhere.
 */
function tokenPosition(input: Uint8Array, rng: Rng): number {
  if (input.length === 0 || rng.chance(0.5)) return rng.int(input.length + 1);
  const boundaries: number[] = [0, input.length];
  for (let i = 0; i < input.length && boundaries.length < 64; i++) if (DELIMITERS.includes(input[i] as number)) boundaries.push(i, i + 1);
  return rng.pick(boundaries);
}

const spliceToken: Mutator = (input, ctx) => {
  if (ctx.dictionary.length === 0) return insertBytes(input, ctx);
  const token = ctx.rng.pick(ctx.dictionary);
  const at = tokenPosition(input, ctx.rng);
  if (ctx.rng.chance(0.5) || input.length === 0) return concat(input.subarray(0, at), token, input.subarray(at));
  const end = Math.min(input.length, at + token.length);
  return concat(input.subarray(0, at), token, input.subarray(end));
};

/** Two tokens in a row ("not" then "("): grammars need keyword and delimiter together. */
const insertTokenPair: Mutator = (input, ctx) => {
  if (ctx.dictionary.length === 0) return insertBytes(input, ctx);
  const first = ctx.rng.pick(ctx.dictionary);
  const second = ctx.rng.chance(0.5) ? Uint8Array.of(ctx.rng.pick(DELIMITERS)) : ctx.rng.pick(ctx.dictionary);
  const at = tokenPosition(input, ctx.rng);
  return concat(input.subarray(0, at), first, second, input.subarray(at));
};

/**
 * Wrap the input (or a range of it) in a keyword and a bracket pair ("true" becomes
 * "not(true)"): nesting grows by one level in one step, still balanced.
 */
const wrapRange: Mutator = (input, ctx) => {
  const { rng } = ctx;
  const whole = rng.chance(0.5);
  const start = whole ? 0 : tokenPosition(input, rng);
  const end = whole ? input.length : start + rng.int(input.length - start + 1);
  const [open, close] = rng.chance(0.5) ? (BRACKETS[0] as readonly [number, number]) : rng.pick(BRACKETS);
  const words = ctx.dictionary.filter(isWordToken);
  const head = words.length > 0 && rng.chance(0.8) ? rng.pick(words) : new Uint8Array(0);
  return concat(input.subarray(0, start), head, Uint8Array.of(open), input.subarray(start, end), Uint8Array.of(close), input.subarray(end));
};

const BRACKETS: ReadonlyArray<readonly [number, number]> = [
  [0x28, 0x29],
  [0x5b, 0x5d],
  [0x7b, 0x7d],
  [0x3c, 0x3e],
];

function isWordToken(token: Uint8Array): boolean {
  if (token.length === 0 || token.length > 16) return false;
  for (const b of token) if (!((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x5f || (b >= 0x30 && b <= 0x39))) return false;
  return true;
}

const crossover: Mutator = (input, ctx) => {
  if (ctx.corpus.length === 0) return duplicateRange(input, ctx);
  const other = ctx.rng.pick(ctx.corpus);
  const cutA = ctx.rng.int(input.length + 1);
  const cutB = ctx.rng.int(other.length + 1);
  return concat(input.subarray(0, cutA), other.subarray(cutB));
};

const arithmeticByte: Mutator = (input, { rng }) => {
  if (input.length === 0) return input;
  const out = Uint8Array.from(input);
  const i = rng.int(out.length);
  out[i] = ((out[i] ?? 0) + (rng.chance(0.5) ? 1 : 255) * (1 + rng.int(4))) & 0xff;
  return out;
};

/** A run of one character ("aaaa"): the raw material of most backtracking blow-ups. */
const insertCharRun: Mutator = (input, { rng }) => {
  const at = rng.int(input.length + 1);
  const byte = input.length > 0 && rng.chance(0.6) ? (input[rng.int(input.length)] ?? 0x61) : 0x20 + rng.int(95);
  return concat(input.subarray(0, at), new Uint8Array(2 + rng.int(31)).fill(byte), input.subarray(at));
};

/** A token repeated a few times ("ababab"), from the dictionary or from the input itself. */
const insertTokenRun: Mutator = (input, ctx) => {
  const { rng } = ctx;
  let token: Uint8Array;
  if (ctx.dictionary.length > 0 && (input.length < 2 || rng.chance(0.6))) token = rng.pick(ctx.dictionary);
  else if (input.length > 0) {
    const start = rng.int(input.length);
    token = input.subarray(start, start + 1 + rng.int(Math.min(8, input.length - start)));
  } else return insertCharRun(input, ctx);
  const at = rng.int(input.length + 1);
  const parts: Uint8Array[] = [input.subarray(0, at)];
  for (let t = 2 + rng.int(7); t > 0; t--) parts.push(token);
  parts.push(input.subarray(at));
  return concat(...parts);
};

/**
 * Replace or append the last byte with one of another character class: backtracking
 * regexes and scanners are slow on inputs that almost match and then fail at the end.
 */
const breakEnding: Mutator = (input, { rng }) => {
  const byte = rng.pick(INTERESTING_BYTES.concat([0x21, 0x2c, 0x2e, 0x3a, 0x3b, 0x61, 0x30]));
  if (input.length > 0 && rng.chance(0.5)) {
    const out = Uint8Array.from(input);
    out[out.length - 1] = byte;
    return out;
  }
  return concat(input, Uint8Array.of(byte));
};

const overwriteWithCopy: Mutator = (input, { rng }) => {
  if (input.length < 2) return input;
  const len = 1 + rng.int(Math.min(32, input.length - 1));
  const from = rng.int(input.length - len + 1);
  const to = rng.int(input.length - len + 1);
  const out = Uint8Array.from(input);
  out.copyWithin(to, from, from + len);
  return out;
};

const deleteByte: Mutator = (input, { rng }) => {
  if (input.length <= 1) return input;
  const at = rng.int(input.length);
  return concat(input.subarray(0, at), input.subarray(at + 1));
};

const truncate: Mutator = (input, { rng }) => (input.length <= 1 ? input : input.slice(0, 1 + rng.int(input.length - 1)));

/**
 * Mutator: pick a pattern in the input and multiply its repetitions by 2-4 (bounded by
 * maxLength). Without a cost to steer it, this is the blind version of the engine's
 * cost-aware pumping (see nextPumpCount).
 */
export const pumpMutator: Mutator = (input, ctx) => {
  const pattern = pickPattern(input, ctx.rng);
  if (!pattern) return input;
  const cap = maxCountFor(pattern, ctx.maxLength);
  const n = Math.min(cap, pattern.count * (2 + ctx.rng.int(3)));
  return n <= pattern.count ? input : renderPattern(pattern, n);
};


/** The default mutators with their relative weights. */
export const DEFAULT_MUTATORS: ReadonlyArray<readonly [Mutator, number]> = [
  [flipBit, 2],
  [setByte, 3],
  [arithmeticByte, 1],
  [insertBytes, 3],
  [insertCharRun, 2],
  [deleteRange, 2],
  [truncate, 1],
  [duplicateRange, 2],
  [overwriteWithCopy, 1],
  [spliceToken, 3],
  [insertTokenPair, 2],
  [wrapRange, 2],
  [insertTokenRun, 2],
  [breakEnding, 2],
  [crossover, 1],
  [pumpMutator, 2],
];

/** Edits that change the length by at most a byte: for parents close to the latency budget. */
export const GENTLE_MUTATORS: ReadonlyArray<readonly [Mutator, number]> = [
  [flipBit, 2],
  [setByte, 3],
  [arithmeticByte, 1],
  [deleteByte, 2],
  [breakEnding, 2],
  [overwriteWithCopy, 1],
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

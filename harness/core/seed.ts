/**
 * How the harness derives a child seed from a parent seed. Each derivation is pinned by tests:
 * a change would make a saved seed replay a different run.
 */
import { fnv1aString } from './hash.ts';

/** 2^32 / golden ratio: spreads consecutive integers far apart in 32 bits. */
const GOLDEN_32 = 0x9e3779b1;

/** Combines seed parts into one 32-bit seed (murmur3 finaliser after each part). */
export function mixSeed(...parts: number[]): number {
  let hash = 0x9e3779b9;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
  }
  return hash >>> 0;
}

/**
 * The seed of one restart generation of a fuzz worker: each restart gets its own stream (so a
 * hanging input is not replayed forever), and inputs and chaos of a generation share it.
 */
export function generationSeed(seed: number, generation: number): number {
  return (seed + generation * GOLDEN_32) >>> 0;
}

/** One independent stream per name (a dependency): FNV-1a of the name mixed into the run seed. */
export function namedStreamSeed(seed: number, name: string): number {
  return (fnv1aString(name) ^ Math.imul(seed >>> 0, GOLDEN_32)) >>> 0;
}

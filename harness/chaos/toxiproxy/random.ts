/**
 * Seeded randomness for the proxy (pure). Every (proxy, connection, toxic) gets its own stream
 * derived from the server seed, so one toxic's draws do not depend on how many chunks other
 * toxics saw: the same seed and the same traffic replay the same chaos.
 */
import { createRng } from '../../core/rng.ts';

/** Uniform draw in [0, 1). */
export type Random = () => number;

/** A uniform stream from the harness's one seeded generator (xoshiro128**, core/rng.ts). */
export function createRandom(seed: number): Random {
  const rng = createRng(seed);
  return () => rng.next();
}

/** FNV-1a 32-bit hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

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

/** The random stream of one toxic on one connection of one proxy. */
export function toxicRandom(seed: number, proxyName: string, connectionIndex: number, toxicName: string): Random {
  return createRandom(mixSeed(seed, hashString(proxyName), connectionIndex, hashString(toxicName)));
}

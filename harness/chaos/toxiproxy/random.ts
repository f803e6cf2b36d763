/**
 * Seeded randomness for the proxy (pure). Every (proxy, connection, toxic) gets its own stream
 * derived from the server seed, so one toxic's draws do not depend on how many chunks other
 * toxics saw: the same seed and the same traffic replay the same chaos.
 */
import { fnv1aString } from '../../core/hash.ts';
import { createRng } from '../../core/rng.ts';
import { mixSeed } from '../../core/seed.ts';

/** Uniform draw in [0, 1). */
export type Random = () => number;

/** A uniform stream from the harness's one seeded generator (xoshiro128**, core/rng.ts). */
export function createRandom(seed: number): Random {
  const rng = createRng(seed);
  return () => rng.next();
}

/** The random stream of one toxic on one connection of one proxy. */
export function toxicRandom(seed: number, proxyName: string, connectionIndex: number, toxicName: string): Random {
  return createRandom(mixSeed(seed, fnv1aString(proxyName), connectionIndex, fnv1aString(toxicName)));
}

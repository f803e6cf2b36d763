/**
 * The harness's one non-cryptographic hash: 32-bit FNV-1a. Its values are stored (kept-input
 * ids, choice-sequence seeds) and seed chaos streams, so they must never change: the tests
 * pin them.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the UTF-16 code units of `text` (names: proxies, toxics, dependencies, frames). */
export function fnv1aString(text: string): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * FNV-1a over the bytes, with the length folded into the starting value, so inputs that differ
 * only by trailing zero bytes hash apart more often. Identifies inputs (kept-input ids) and
 * seeds the generator that replays a choice sequence.
 */
export function fnv1aBytes(bytes: Uint8Array): number {
  let h = FNV_OFFSET_BASIS ^ bytes.length;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

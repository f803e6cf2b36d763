/** Pure delay and slicing math of the toxics, unit-tested without clocks. */
import type { LatencyAttributes, SlicerAttributes } from './types.ts';
import type { Random } from './random.ts';

/** Largest delay a Node timer honours (larger values would fire after 1 ms). */
export const MAX_DELAY_MS = 2_147_483_647;

/**
 * Pareto delay by inverse transform: `scale * u^(-1/alpha)`, capped at `cap` when given.
 * `u` must be in (0, 1]; u = 1 gives the minimum, `scale`.
 */
export function paretoDelay(u: number, alpha: number, scale: number, cap?: number): number {
  const raw = scale * Math.pow(u, -1 / alpha);
  const capped = cap !== undefined && raw > cap ? cap : raw;
  return Math.min(capped, MAX_DELAY_MS);
}

/** Delay of one chunk under a latency toxic, in ms (never negative). */
export function latencyDelayMs(attributes: LatencyAttributes, random: Random): number {
  if (attributes.distribution === 'pareto') {
    // 1 - [0,1) is (0,1]: u = 0 would be an infinite delay.
    return paretoDelay(1 - random(), attributes.alpha ?? 1, attributes.scale ?? 0, attributes.cap);
  }
  const jitter = attributes.jitter > 0 ? (random() * 2 - 1) * attributes.jitter : 0;
  return Math.min(Math.max(0, attributes.latency + jitter), MAX_DELAY_MS);
}

/**
 * Sizes of the pieces a slicer cuts `length` bytes into: recursive halving with a random
 * offset of ±size_variation around the middle, stopping once a piece is within
 * average_size + size_variation (the same shape as Toxiproxy's slicer). Sizes sum to `length`.
 */
export function slicePlan(length: number, attributes: SlicerAttributes, random: Random): number[] {
  const average = Math.max(1, Math.floor(attributes.average_size));
  const variation = Math.min(Math.max(0, Math.floor(attributes.size_variation)), average - 1);
  const sizes: number[] = [];
  const cut = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      if (end > start) sizes.push(end - start);
      return;
    }
    const offset = variation > 0 ? Math.floor(random() * (2 * variation + 1)) - variation : 0;
    const middle = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + offset));
    cut(start, middle);
    cut(middle, end);
  };
  cut(0, length);
  return sizes;
}

/**
 * Time in ms a bandwidth toxic needs to send `bytes` at `rateKBps` (1 KB = 1000 bytes);
 * 0 for a non-positive rate (unlimited, as in Toxiproxy).
 */
export function transmitMs(bytes: number, rateKBps: number): number {
  return rateKBps > 0 ? bytes / rateKBps : 0;
}

/** Largest piece a bandwidth toxic sends at once: 100 ms worth, so low rates trickle evenly. */
export function bandwidthPieceBytes(rateKBps: number): number {
  return Math.max(1, Math.floor(rateKBps * 100));
}

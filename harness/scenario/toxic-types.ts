/**
 * Toxiproxy toxics as a scenario declares them and as the chaos proxy's API takes them: the
 * types, their attributes (plus the slo-harness Pareto extension) and the API's error body.
 * Shapes follow what a real Toxiproxy 2.x returns and what `toxiproxy-node-client` reads.
 * The scenario schema judges a scenario's toxics with these at load time (toxic-spec.ts);
 * the embedded proxy (chaos/toxiproxy/) serves them.
 */

/** `upstream` = client -> server bytes, `downstream` = server -> client bytes (Toxiproxy's default). */
export type ToxicStream = 'upstream' | 'downstream';

export const TOXIC_TYPES = [
  'latency',
  'bandwidth',
  'slow_close',
  'timeout',
  'reset_peer',
  'limit_data',
  'slicer',
] as const;

export type ToxicType = (typeof TOXIC_TYPES)[number];

/**
 * Delay every chunk by `latency ± jitter` ms (uniform, like Toxiproxy).
 * slo-harness extension: with `distribution: 'pareto'` the delay of each chunk is instead
 * `scale * U^(-1/alpha)` ms, capped at `cap` ms when given; `latency`/`jitter` are then ignored
 * (a real Toxiproxy only reads `latency`/`jitter`).
 */
export interface LatencyAttributes {
  latency: number;
  jitter: number;
  distribution?: 'uniform' | 'pareto';
  /** Pareto shape (> 0); smaller means a heavier tail. */
  alpha?: number;
  /** Pareto scale in ms: the minimum delay. */
  scale?: number;
  /** Upper bound of a Pareto delay in ms. */
  cap?: number;
}

/** Limit throughput to `rate` KB/s (1 KB = 1000 bytes, as in Toxiproxy); 0 = unlimited. */
export interface BandwidthAttributes {
  rate: number;
}

/** Delay the end of the stream (the FIN) by `delay` ms. */
export interface SlowCloseAttributes {
  delay: number;
}

/** Drop all data; close the connection after `timeout` ms, or hold it forever when 0. */
export interface TimeoutAttributes {
  timeout: number;
}

/** On the first data, wait `timeout` ms, then reset the connection (TCP RST). */
export interface ResetPeerAttributes {
  timeout: number;
}

/** Let `bytes` bytes through, then close the connection. */
export interface LimitDataAttributes {
  bytes: number;
}

/** Cut chunks into pieces of about `average_size ± size_variation` bytes, `delay` µs apart. */
export interface SlicerAttributes {
  average_size: number;
  size_variation: number;
  delay: number;
}

export interface ToxicAttributesByType {
  latency: LatencyAttributes;
  bandwidth: BandwidthAttributes;
  slow_close: SlowCloseAttributes;
  timeout: TimeoutAttributes;
  reset_peer: ResetPeerAttributes;
  limit_data: LimitDataAttributes;
  slicer: SlicerAttributes;
}

export type ToxicAttributes = ToxicAttributesByType[ToxicType];

/** A toxic as the API returns it (and as the registry stores it). */
export type ToxicJson = {
  [T in ToxicType]: {
    name: string;
    type: T;
    stream: ToxicStream;
    /** Probability that a given connection is affected, drawn once per connection. */
    toxicity: number;
    attributes: ToxicAttributesByType[T];
  };
}[ToxicType];

/** Error body, identical to Toxiproxy's `{"error": "...", "status": 409}`. */
export interface ApiErrorJson {
  error: string;
  status: number;
}

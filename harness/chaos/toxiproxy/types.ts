/**
 * Wire types of the Toxiproxy HTTP API subset served by the embedded proxy, plus the
 * slo-harness extension (Pareto latency). Shapes follow what a real Toxiproxy 2.x returns
 * and what `toxiproxy-node-client` reads, so the same client drives either server.
 */

import type { ToxicJson } from '../../scenario/toxic-types.ts';

export { TOXIC_TYPES } from '../../scenario/toxic-types.ts';
export type {
  ApiErrorJson,
  BandwidthAttributes,
  LatencyAttributes,
  LimitDataAttributes,
  ResetPeerAttributes,
  SlicerAttributes,
  SlowCloseAttributes,
  TimeoutAttributes,
  ToxicAttributes,
  ToxicAttributesByType,
  ToxicJson,
  ToxicStream,
  ToxicType,
} from '../../scenario/toxic-types.ts';

/** A proxy as the API returns it. `listen` is the real bound address once enabled. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

export interface EmbeddedToxiproxyOptions {
  /** API bind host; default 127.0.0.1. A non-loopback host needs `allowNonLoopbackListen`. */
  host?: string;
  /** API port; 0 (default) picks an ephemeral port, reported in the result. */
  port?: number;
  /** Seed of every random draw (toxicity, jitter, Pareto): same seed, same chaos. Default 1. */
  seed?: number;
  /**
   * Let API callers create proxies listening on non-loopback addresses (0.0.0.0, a LAN
   * address, a host name). Default false: such a request is refused with a 403.
   */
  allowNonLoopbackListen?: boolean;
}

export interface EmbeddedToxiproxy {
  /** Base URL to give `new Toxiproxy(url)`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** Stops the API server and destroys every proxy listener and proxied connection. */
  close(): Promise<void>;
}

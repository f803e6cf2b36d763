/**
 * slo-harness's embedded Toxiproxy: a TCP proxy in this process that serves the Toxiproxy HTTP
 * API on loopback, so `toxiproxy-node-client` drives it exactly as it drives a real Toxiproxy.
 *
 *   const toxiproxy = await startEmbeddedToxiproxy({ seed: 42 });
 *   const client = new Toxiproxy(toxiproxy.url);
 *   const proxy = await client.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: 'localhost:5432' });
 *   await proxy.addToxic({ name: 'tail', type: 'latency', stream: 'downstream', toxicity: 1,
 *     attributes: { latency: 0, jitter: 0, distribution: 'pareto', alpha: 1.16, scale: 5, cap: 2000 } });
 *   ...
 *   await toxiproxy.close();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatHostPort } from './address.ts';
import { createApiHandler } from './http-api.ts';
import { isLoopbackHost } from './listen-policy.ts';
import { ProxyRegistry } from './proxy-registry.ts';
import { realScheduler } from './stages/stage.ts';
import type { EmbeddedToxiproxy, EmbeddedToxiproxyOptions } from './types.ts';

export type * from './types.ts';
export { TOXIC_TYPES } from './types.ts';
export { EMBEDDED_VERSION } from './http-api.ts';
export { paretoDelay, latencyDelayMs } from './delays.ts';
export { isLoopbackHost } from './listen-policy.ts';

export async function startEmbeddedToxiproxy(options: EmbeddedToxiproxyOptions = {}): Promise<EmbeddedToxiproxy> {
  const host = options.host ?? '127.0.0.1';
  // The API drives listeners: it is itself held to the loopback rule it enforces.
  if (!options.allowNonLoopbackListen && !isLoopbackHost(host)) {
    throw new Error(`embedded Toxiproxy: API host ${JSON.stringify(host)} is not loopback (127.0.0.0/8, ::1, localhost); pass allowNonLoopbackListen: true to serve the API on other addresses`);
  }
  const registry = new ProxyRegistry(options.seed ?? 1, realScheduler, { allowNonLoopbackListen: options.allowNonLoopbackListen ?? false });
  const server = http.createServer(createApiHandler(registry));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${formatHostPort({ host: address, port })}`,
    port,
    close() {
      closed ??= (async () => {
        await registry.closeAll();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}

/**
 * The chaos network through toxiproxy-node-client: the embedded server by default, and the
 * TOXIPROXY_URL path against an embedded server started here as if it were external (where
 * Pareto latency must be approximated by re-drawing a plain latency toxic).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy } from '../../chaos/toxiproxy/index.ts';
import type { EmbeddedToxiproxy, ProxyJson } from '../../chaos/toxiproxy/types.ts';
import type { ResolvedToxic } from '../../scenario/service-types.ts';
import { ChaosNetwork, RESAMPLE_MS } from './chaos-network.ts';

const pareto: ResolvedToxic = { name: 'tail', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { distribution: 'pareto', alpha: 1.2, scale: 5, cap: 500 } };

async function proxiesOn(url: string): Promise<Record<string, ProxyJson>> {
  return (await (await fetch(`${url}/proxies`)).json()) as Record<string, ProxyJson>;
}

describe('ChaosNetwork (embedded server)', () => {
  it('creates a proxy per dependency with the toxic as given, and moves the Pareto scale knob', async () => {
    const chaos = await ChaosNetwork.open({ seed: 1, scenario: 'unit', externalUrl: '' });
    try {
      expect(chaos.mode).toBe('embedded');
      const listen = await chaos.addDependency('db', '127.0.0.1:9', [pareto]);
      expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
      const [proxy] = Object.values(await proxiesOn(chaos.url));
      expect(proxy?.toxics[0]?.attributes).toMatchObject({ distribution: 'pareto', scale: 5 });
      await chaos.setLatency('db', 12);
      const [after] = Object.values(await proxiesOn(chaos.url));
      expect(after?.toxics[0]?.attributes).toMatchObject({ distribution: 'pareto', scale: 12 });
      expect(chaos.pareto()).toEqual({ scaleMs: 12, alpha: 1.2, capMs: 500 });
      expect(chaos.toxicsInForce()[0]?.proxy).toBe(proxy?.name);
    } finally {
      await chaos.close();
    }
  });
});

describe('ChaosNetwork with TOXIPROXY_URL (an external server)', () => {
  let server: EmbeddedToxiproxy;
  beforeAll(async () => {
    server = await startEmbeddedToxiproxy({ seed: 2 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('re-draws a plain latency toxic from the Pareto distribution and removes its proxies on close', async () => {
    const previous = process.env['TOXIPROXY_URL'];
    process.env['TOXIPROXY_URL'] = server.url;
    let chaos: ChaosNetwork;
    try {
      chaos = await ChaosNetwork.open({ seed: 3, scenario: 'unit' });
    } finally {
      if (previous === undefined) delete process.env['TOXIPROXY_URL'];
      else process.env['TOXIPROXY_URL'] = previous;
    }
    expect(chaos.mode).toBe('external');
    await chaos.addDependency('db', '127.0.0.1:9', [pareto]);
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const [proxy] = Object.values(await proxiesOn(server.url));
      const attributes = proxy?.toxics[0]?.attributes as { latency: number; distribution?: string };
      expect(attributes.distribution).toBeUndefined();
      // Every draw is a Pareto(1.2, 5) value capped at 500: at least the scale.
      expect(attributes.latency).toBeGreaterThanOrEqual(5);
      expect(attributes.latency).toBeLessThanOrEqual(500);
      seen.add(attributes.latency);
      await new Promise((r) => setTimeout(r, RESAMPLE_MS * 1.5));
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(chaos.note()).toMatch(/approximated by re-drawing a latency toxic every 50 ms/);
    await chaos.close();
    expect(await proxiesOn(server.url)).toEqual({});
  });
});

/**
 * The slo-harness Pareto extension of the latency toxic, through the real client: per-request
 * delays are heavy-tailed (unlike uniform jitter) and replay with the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy } from './index.ts';
import type { EmbeddedToxiproxy, LatencyAttributes } from './types.ts';
import { connect, echoRoundTrip, portOf, quantile, startEchoServer, type TestServer } from '../../../test/support/toxiproxy.ts';

const REQUESTS = 150;
const PARETO: LatencyAttributes = { latency: 0, jitter: 0, distribution: 'pareto', alpha: 1.16, scale: 5, cap: 250 };
const UNIFORM: LatencyAttributes = { latency: 20, jitter: 15 };

let echo: TestServer;
const servers: EmbeddedToxiproxy[] = [];

beforeAll(async () => {
  echo = await startEchoServer();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await echo.close();
});

/** A proxy named 'dep' in its own embedded server with one downstream latency toxic. */
async function proxyWith(seed: number, attributes: LatencyAttributes): Promise<number> {
  const server = await startEmbeddedToxiproxy({ seed });
  servers.push(server);
  const proxy = await new Toxiproxy(server.url).createProxy({ name: 'dep', listen: '127.0.0.1:0', upstream: echo.address });
  await proxy.addToxic({ name: 'tail', type: 'latency', stream: 'downstream', toxicity: 1, attributes });
  return portOf(proxy.listen);
}

/** Round trips on one keep-alive connection per port, the ports' requests sent side by side. */
async function delaysSideBySide(ports: number[]): Promise<number[][]> {
  const sockets = await Promise.all(ports.map((port) => connect(port)));
  const delays: number[][] = ports.map(() => []);
  for (let i = 0; i < REQUESTS; i++) {
    const trips = await Promise.all(sockets.map((socket) => echoRoundTrip(socket, Buffer.from(`req-${i}`))));
    trips.forEach((trip, k) => delays[k]?.push(trip.ms));
  }
  for (const socket of sockets) socket.destroy();
  return delays;
}

function correlation(xs: number[], ys: number[]): number {
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    const dy = (ys[i] ?? 0) - my;
    sxy += (x - mx) * dy;
    sxx += (x - mx) ** 2;
    syy += dy ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

describe('pareto latency toxic', () => {
  it('is heavy-tailed where uniform jitter is not, and replays with its seed', async () => {
    const ports = [await proxyWith(99, PARETO), await proxyWith(99, PARETO), await proxyWith(100, PARETO), await proxyWith(99, UNIFORM)];
    const [paretoA = [], paretoB = [], otherSeed = [], uniform = []] = await delaysSideBySide(ports);

    // Never below the Pareto scale (its minimum delay).
    expect(Math.min(...paretoA)).toBeGreaterThanOrEqual(5);
    // Analytic p90/p50 is 5^(1/1.16) ≈ 4.0 for this Pareto (≈ 2.8 for these 150 seeded draws), ≈ 1.6 for 20 ± 15 ms uniform.
    const tailRatio = (v: number[]): number => quantile(v, 0.9) / quantile(v, 0.5);
    expect(tailRatio(paretoA)).toBeGreaterThan(2.2);
    expect(tailRatio(uniform)).toBeLessThan(2);
    expect(quantile(paretoA, 0.99) / quantile(paretoA, 0.5)).toBeGreaterThan(quantile(uniform, 0.99) / quantile(uniform, 0.5) * 2);

    // Same seed, same delay sequence (up to scheduling noise); another seed, unrelated.
    const logs = (v: number[]): number[] => v.map((ms) => Math.log(ms));
    expect(correlation(logs(paretoA), logs(paretoB))).toBeGreaterThan(0.9);
    expect(Math.abs(correlation(logs(paretoA), logs(otherSeed)))).toBeLessThan(0.5);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { runClosedLoop, type ClosedLoopResult } from './closed-loop.ts';
import { startFastServer, unusedPort, type LoopbackServer } from '../../test/support/load-servers.ts';

const servers: LoopbackServer[] = [];
const results: ClosedLoopResult[] = [];
afterEach(async () => {
  for (const result of results.splice(0)) result.latencyHistogram.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('closed-loop throughput (autocannon)', () => {
  it('returns a positive rate and a microsecond histogram holding every response', async () => {
    const server = await startFastServer();
    servers.push(server);
    let hookCalls = 0;
    const result = await runClosedLoop({
      url: `${server.origin}/`,
      connections: 2,
      durationMs: 1000,
      onResponse: () => {
        hookCalls += 1;
      },
    });
    results.push(result);
    expect(result.requestsPerSec).toBeGreaterThan(0);
    expect(result.completed).toBeGreaterThan(0);
    expect(result.latencyHistogram.totalCount).toBe(result.completed);
    expect(hookCalls).toBe(result.completed);
    expect(server.received()).toBeGreaterThanOrEqual(result.completed);
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    // Sub-millisecond resolution: a loopback answer is well below 1 ms at the median.
    expect(result.latencyHistogram.getValueAtPercentile(50)).toBeLessThan(1000);
  });

  it('sends the given request sequence and counts non-2xx responses', async () => {
    const server = await startFastServer();
    servers.push(server);
    const result = await runClosedLoop({
      url: `${server.origin}/`,
      connections: 1,
      durationMs: 500,
      requests: [{ method: 'GET', path: '/?status=503' }, { method: 'POST', path: '/', body: 'x' }],
    });
    results.push(result);
    expect(result.status5xx).toBeGreaterThan(0);
    expect(result.non2xx).toBe(result.status5xx);
    // Alternating sequence on one connection: about half the responses are 503.
    expect(Math.abs(result.status5xx - result.completed / 2)).toBeLessThanOrEqual(2);
  });

  it('stops on abort and counts connection errors against a closed port', async () => {
    const port = await unusedPort();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runClosedLoop({ url: `http://127.0.0.1:${port}/`, connections: 1, durationMs: 30_000, signal: controller.signal });
    results.push(result);
    expect(result.aborted).toBe(true);
    expect(result.completed).toBe(0);
    expect(result.errors).toBeGreaterThan(0);
    expect(result.wallMs).toBeLessThan(30_000 / 4);
  });
});

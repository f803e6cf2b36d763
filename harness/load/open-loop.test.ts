import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { runClosedLoop } from './closed-loop.ts';
import { percentileMs } from './latency-histogram.ts';
import { runOpenLoop, type OpenLoopResult, type ResponseInfo } from './open-loop.ts';
import { startFastServer, startHangingServer, startStallingServer, unusedPort, type LoopbackServer } from '../../test/support/load-servers.ts';

const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', recordUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', recordUnhandled);
});

const servers: LoopbackServer[] = [];
const results: OpenLoopResult[] = [];
afterEach(async () => {
  for (const result of results.splice(0)) {
    result.correctedHistogram.destroy();
    result.uncorrectedHistogram.destroy();
  }
  await Promise.all(servers.splice(0).map((server) => server.close()));
  expect(unhandled).toEqual([]);
});

async function track<T extends LoopbackServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  servers.push(started);
  return started;
}

function keep(result: OpenLoopResult): OpenLoopResult {
  results.push(result);
  return result;
}

const get = (path = '/') => () => ({ method: 'GET' as const, path });

/** Every sent request is accounted for exactly once. */
function expectAccounted(result: OpenLoopResult): void {
  const { timeout, connection, other } = result.errors;
  expect(result.completed + timeout + connection + other + result.abandoned).toBe(result.sent);
}

describe('open-loop load: coordinated omission on a stalled server', () => {
  const stall = { stallAfterMs: 1000, stallMs: 1000 };

  it('corrected P99 shows the stall, uncorrected and autocannon closed-loop P99 hide it', async () => {
    const server = await track(startStallingServer(stall));
    const open = keep(
      await runOpenLoop({ origin: server.origin, rate: 200, durationMs: 3000, connections: 1, buildRequest: get() }),
    );
    expect(open.sent).toBe(600);
    expect(open.completed).toBe(600);
    expect(server.received()).toBe(600);
    expectAccounted(open);
    const correctedP99 = percentileMs(open.correctedHistogram, 99);
    const uncorrectedP99 = percentileMs(open.uncorrectedHistogram, 99);
    expect(correctedP99).toBeGreaterThan(0.3 * stall.stallMs);
    expect(correctedP99).toBeGreaterThan(10 * uncorrectedP99);
    // The stall is visible in the timeline: its worst window is far above the median window.
    const windowP99s = open.timeline.map((w) => w.p99Ms ?? 0).sort((a, b) => a - b);
    const medianWindow = windowP99s[Math.floor(windowP99s.length / 2)] ?? 0;
    expect(windowP99s[windowP99s.length - 1]).toBeGreaterThan(10 * medianWindow);

    // Same server behaviour, closed loop: only the one request caught in the stall is slow.
    const stalledAgain = await track(startStallingServer(stall));
    const closed = await runClosedLoop({ url: `${stalledAgain.origin}/`, connections: 1, durationMs: 3000 });
    try {
      const closedP99 = percentileMs(closed.latencyHistogram, 99);
      expect(closed.completed).toBeGreaterThan(0);
      expect(closed.latencyHistogram.maxValue / 1000).toBeGreaterThan(10 * closedP99); // it did see the stall...
      expect(10 * closedP99).toBeLessThan(correctedP99); // ...but its P99 misses the queueing.
    } finally {
      closed.latencyHistogram.destroy();
    }
  });
});

describe('open-loop load: pacing and accounting', () => {
  it('holds the intended schedule: 1,000 requests in 2 s at 500 req/s', async () => {
    const server = await track(startFastServer());
    const result = keep(await runOpenLoop({ origin: server.origin, rate: 500, durationMs: 2000, connections: 4, buildRequest: get() }));
    expect(result.planned).toBe(1000);
    expect(result.sent).toBe(1000);
    expect(result.completed).toBe(1000);
    expect(result.achievedRate).toBeGreaterThan(0.95 * 500);
    expect(result.achievedRate).toBeLessThanOrEqual(500 * 1.0000001);
    expect(result.correctedHistogram.totalCount).toBe(1000);
    expect(result.uncorrectedHistogram.totalCount).toBe(1000);
    // Latency from the intended time can never be shorter than from the actual send.
    expect(result.correctedHistogram.maxValue).toBeGreaterThanOrEqual(result.uncorrectedHistogram.maxValue);
    expect(result.timeline.reduce((sum, w) => sum + w.count, 0)).toBe(1000);
    expect(result.timeline).toHaveLength(20);
  });

  it('counts 4xx and 5xx responses per status and reports every request once to the hook', async () => {
    const server = await track(startFastServer());
    const seen: ResponseInfo[] = [];
    const statusFor = (i: number): number => [200, 404, 503, 200][i % 4] ?? 200;
    const result = keep(
      await runOpenLoop({
        origin: server.origin,
        rate: 400,
        requests: 200,
        buildRequest: (i) => ({ method: 'POST', path: `/?status=${statusFor(i)}`, headers: { 'content-type': 'text/plain' }, body: `input ${i}` }),
        onResponse: (info) => seen.push(info),
      }),
    );
    expect(result.completed).toBe(200);
    expect(result.errors).toEqual({ timeout: 0, connection: 0, status5xx: 50, status4xx: 50, other: 0 });
    expect(seen.map((info) => info.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const info of seen) {
      expect(info.status).toBe(statusFor(info.i));
      expect(info.sentNs).toBeGreaterThanOrEqual(info.intendedNs);
      expect(info.doneNs).toBeGreaterThanOrEqual(info.sentNs);
    }
    expect(result.timeline.reduce((sum, w) => sum + w.errors, 0)).toBe(50);
  });

  it('queues requests beyond maxInFlight client-side without dropping them', async () => {
    const server = await track(startFastServer());
    const result = keep(
      await runOpenLoop({ origin: server.origin, rate: 200, requests: 60, maxInFlight: 1, buildRequest: get('/?delayMs=20') }),
    );
    expect(result.sent).toBe(60);
    expect(result.completed).toBe(60);
    expect(server.received()).toBe(60);
    expect(result.queuedBehind).toBeGreaterThan(30);
    // Waiting in the client queue is part of the corrected latency only.
    expect(percentileMs(result.correctedHistogram, 99)).toBeGreaterThan(3 * percentileMs(result.uncorrectedHistogram, 99));
  });
});

describe('open-loop load: failures', () => {
  it('counts timeouts and records them at the moment the timeout fired', async () => {
    const server = await track(startHangingServer());
    const timeoutMs = 200;
    const result = keep(
      await runOpenLoop({ origin: server.origin, rate: 50, requests: 10, connections: 2, timeoutMs, buildRequest: get() }),
    );
    expect(result.sent).toBe(10);
    expect(result.errors.timeout).toBe(10);
    expect(result.completed).toBe(0);
    expectAccounted(result);
    expect(result.correctedHistogram.totalCount).toBe(10);
    expect(result.correctedHistogram.minNonZeroValue / 1000).toBeGreaterThanOrEqual(0.95 * timeoutMs);
  });

  it('counts connection errors when nothing listens, without unhandled rejections', async () => {
    const port = await unusedPort();
    const result = keep(await runOpenLoop({ origin: `http://127.0.0.1:${port}`, rate: 100, requests: 20, buildRequest: get() }));
    expect(result.sent).toBe(20);
    expect(result.errors.connection).toBe(20);
    expect(result.completed).toBe(0);
    expect(result.correctedHistogram.totalCount).toBe(0);
    expectAccounted(result);
  });

  it('counts a service that dies mid-run as connection errors, not a crash', async () => {
    const server = await startFastServer();
    setTimeout(() => void server.close(), 300);
    const result = keep(await runOpenLoop({ origin: server.origin, rate: 100, requests: 100, buildRequest: get() }));
    expect(result.sent).toBe(100);
    expect(result.completed).toBeGreaterThan(0);
    expect(result.errors.connection).toBeGreaterThan(0);
    expectAccounted(result);
  });
});

describe('open-loop load: abort', () => {
  it('stops scheduling promptly and resolves with partial results', async () => {
    const server = await track(startFastServer());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = keep(
      await runOpenLoop({ origin: server.origin, rate: 100, durationMs: 60_000, signal: controller.signal, buildRequest: get() }),
    );
    expect(result.aborted).toBe(true);
    expect(result.planned).toBe(6000);
    expect(result.sent).toBeGreaterThan(0);
    expect(result.sent).toBeLessThan(result.planned / 10);
    expectAccounted(result);
  });

  it('abandons in-flight requests after the grace period', async () => {
    const server = await track(startHangingServer());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const timeoutMs = 60_000;
    const result = keep(
      await runOpenLoop({
        origin: server.origin,
        rate: 100,
        durationMs: 60_000,
        timeoutMs,
        abortGraceMs: 100,
        maxInFlight: 5,
        signal: controller.signal,
        buildRequest: get(),
      }),
    );
    expect(result.aborted).toBe(true);
    expect(result.abandoned).toBe(result.sent);
    expect(result.queuedBehind).toBeGreaterThan(0);
    expect(result.wallMs).toBeLessThan(timeoutMs / 4);
    expectAccounted(result);
  });

  it('returns at once when the signal is already aborted', async () => {
    const server = await track(startFastServer());
    const result = keep(
      await runOpenLoop({ origin: server.origin, rate: 100, requests: 100, signal: AbortSignal.abort(), buildRequest: get() }),
    );
    expect(result.aborted).toBe(true);
    expect(result.sent).toBe(0);
    expect(server.received()).toBe(0);
  });
});

/** Pure parts of the embedded proxy: math, parsing, and the release queue on a virtual clock. */
import { describe, expect, it } from 'vitest';
import { formatHostPort, parseListenAddress, parseUpstreamAddress } from './address.ts';
import { ApiError } from './api-error.ts';
import { latencyDelayMs, paretoDelay, slicePlan } from './delays.ts';
import { checkListenAllowed, isLoopbackHost, LOOPBACK_ONLY } from './listen-policy.ts';
import { parsePopulate, parseProxyCreate } from './proxy-spec.ts';
import { createRandom, toxicRandom } from './random.ts';
import { ReleaseQueue, type Scheduler, type Segment } from './stages/stage.ts';
import { LatencyStage, BandwidthStage } from './stages/delaying.ts';
import { parseToxicCreate, parseToxicUpdate } from '../../scenario/toxic-spec.ts';

/** A virtual clock: timers fire only when the test advances time (and may fire early, on purpose). */
class VirtualScheduler implements Scheduler {
  time = 0;
  private timers: { at: number; callback: () => void; live: boolean }[] = [];
  constructor(private readonly earlyMs = 0) {}
  now(): number {
    return this.time;
  }
  schedule(callback: () => void, delayMs: number): () => void {
    const delay = Math.max(0, delayMs);
    const timer = { at: this.time + delay - Math.min(this.earlyMs, delay / 2), callback, live: true };
    this.timers.push(timer);
    return () => (timer.live = false);
  }
  advanceTo(target: number): void {
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.live = false;
      this.time = Math.max(this.time, next.at);
      next.callback();
    }
    this.time = target;
  }
}

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
  }
  throw new Error('expected an ApiError');
}

describe('paretoDelay', () => {
  it('is scale at u=1, grows as u shrinks, and respects the cap', () => {
    expect(paretoDelay(1, 1.16, 5)).toBe(5);
    expect(paretoDelay(0.01, 1.16, 5)).toBeCloseTo(5 * 0.01 ** (-1 / 1.16), 9);
    expect(paretoDelay(0.5, 2, 5)).toBeGreaterThan(paretoDelay(0.9, 2, 5));
    expect(paretoDelay(1e-9, 1.16, 5, 250)).toBe(250);
  });

  it('matches the analytic p99 over many seeded draws', () => {
    const random = createRandom(7);
    const draws = Array.from({ length: 200_000 }, () =>
      latencyDelayMs({ latency: 0, jitter: 0, distribution: 'pareto', alpha: 1.16, scale: 5 }, random),
    ).sort((a, b) => a - b);
    const p99 = draws[Math.ceil(0.99 * draws.length) - 1] as number;
    const analytic = 5 * 0.01 ** (-1 / 1.16);
    expect(Math.abs(p99 / analytic - 1)).toBeLessThan(0.05);
  });
});

describe('latencyDelayMs (uniform)', () => {
  it('stays within latency ± jitter and never below 0', () => {
    const random = createRandom(3);
    for (let i = 0; i < 10_000; i++) {
      const d = latencyDelayMs({ latency: 100, jitter: 30 }, random);
      expect(d).toBeGreaterThanOrEqual(70);
      expect(d).toBeLessThanOrEqual(130);
      expect(latencyDelayMs({ latency: 5, jitter: 50 }, random)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('seeded randomness', () => {
  it('replays per (seed, proxy, connection, toxic) and differs otherwise', () => {
    const a = toxicRandom(42, 'db', 3, 'tail');
    const b = toxicRandom(42, 'db', 3, 'tail');
    const c = toxicRandom(42, 'db', 4, 'tail');
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });
});

describe('slicePlan', () => {
  it('cuts into pieces that sum to the length and stay near the average size', () => {
    const random = createRandom(11);
    const sizes = slicePlan(10_000, { average_size: 100, size_variation: 20, delay: 0 }, random);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10_000);
    expect(sizes.length).toBeGreaterThan(50);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(120);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
  });
});

describe('addresses', () => {
  it('binds loopback unless told otherwise, and formats IPv6 like Go', () => {
    expect(parseListenAddress('localhost:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('0.0.0.0:1')).toEqual({ host: '0.0.0.0', port: 1 });
    expect(parseUpstreamAddress('[::1]:5432')).toEqual({ host: '::1', port: 5432 });
    expect(formatHostPort({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(() => parseUpstreamAddress('nohost')).toThrow();
    expect(() => parseUpstreamAddress('h:99999')).toThrow();
  });

  it('knows loopback hosts: 127.0.0.0/8, ::1 (any spelling), localhost; nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', 'example.com', 'localhost.example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses a non-loopback listen address with a 403 unless allowed', () => {
    expect(() => checkListenAllowed('127.0.0.1:0', LOOPBACK_ONLY)).not.toThrow();
    expect(() => checkListenAllowed(':0', LOOPBACK_ONLY)).not.toThrow();
    const refusal = ((): unknown => {
      try {
        checkListenAllowed('0.0.0.0:8080', LOOPBACK_ONLY);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).status).toBe(403);
    expect((refusal as ApiError).message).toMatch(/"0\.0\.0\.0:8080" is not loopback.*allowNonLoopbackListen: true/);
    expect(() => checkListenAllowed('0.0.0.0:8080', { allowNonLoopbackListen: true })).not.toThrow();
  });
});

describe('request bodies', () => {
  it('applies Toxiproxy defaults to a toxic', () => {
    expect(parseToxicCreate({ type: 'latency', attributes: { latency: 10 } })).toEqual({
      name: 'latency_downstream',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 10, jitter: 0 },
    });
  });

  it('rejects bad toxics with Toxiproxy statuses', () => {
    expect(errorOf(() => parseToxicCreate({ type: 'down' })).status).toBe(400);
    expect(errorOf(() => parseToxicCreate({ type: 'latency', stream: 'sideways' })).message).toMatch(/stream was invalid/);
    expect(errorOf(() => parseToxicCreate({ type: 'latency', attributes: { latency: -1 } })).status).toBe(400);
    expect(errorOf(() => parseToxicCreate({ type: 'latency', attributes: { latency: 1e300 } })).message).toMatch(/latency must be at most 86400000/);
    expect(errorOf(() => parseToxicCreate({ type: 'bandwidth', attributes: { rate: 2 ** 60 } })).status).toBe(400);
    expect(parseToxicCreate({ type: 'latency', attributes: { latency: 86_400_000 } }).attributes).toMatchObject({ latency: 86_400_000 });
    expect(errorOf(() => parseToxicCreate({ type: 'latency', attributes: { distribution: 'pareto', scale: 5 } })).message).toMatch(/alpha/);
  });

  it('merges an update over the current attributes and keeps name, type and stream', () => {
    const current = parseToxicCreate({ name: 't', type: 'latency', stream: 'upstream', attributes: { latency: 10, jitter: 4 } });
    const updated = parseToxicUpdate(current, { name: 'other', type: 'bandwidth', toxicity: 0.5, attributes: { jitter: 9 } });
    expect(updated).toEqual({ name: 't', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 10, jitter: 9 } });
  });

  it('validates proxies and populate lists', () => {
    expect(parseProxyCreate({ name: 'a', upstream: 'h:1' })).toEqual({ name: 'a', listen: '127.0.0.1:0', upstream: 'h:1', enabled: true });
    expect(errorOf(() => parseProxyCreate({ name: 'a' })).message).toBe('missing required field: upstream');
    expect(errorOf(() => parsePopulate([{ name: 'a', upstream: 'h:1' }, { name: 'a', upstream: 'h:2' }])).status).toBe(400);
    // A disabled proxy may keep an address that cannot be bound yet, as in Toxiproxy.
    expect(parseProxyCreate({ name: 'a', upstream: 'bad', enabled: false }).enabled).toBe(false);
  });
});

describe('ReleaseQueue on a virtual clock', () => {
  it('releases in order, never before the due time, even when timers fire early', () => {
    const clock = new VirtualScheduler(3);
    const released: { at: number; id: string }[] = [];
    const queue = new ReleaseQueue(clock, (segment: Segment) => released.push({ at: clock.now(), id: segment?.toString() ?? 'END' }));
    queue.enqueue(Buffer.from('a'), 50);
    queue.enqueue(Buffer.from('b'), 10); // due earlier but queued behind 'a'
    queue.enqueue(null, 0);
    clock.advanceTo(1000);
    expect(released.map((r) => r.id)).toEqual(['a', 'b', 'END']);
    expect(released[0]?.at).toBeGreaterThanOrEqual(50);
  });

  it('latency stage delays each chunk from its arrival and flushes on detach', () => {
    const clock = new VirtualScheduler();
    const out: { at: number; data: string }[] = [];
    const stage = new LatencyStage(
      { emit: (s) => out.push({ at: clock.now(), data: s?.toString() ?? 'END' }), scheduler: clock, random: createRandom(1), closeConnection: () => {}, resetConnection: () => {} },
      { latency: 100, jitter: 0 },
    );
    stage.push(Buffer.from('x'));
    clock.advanceTo(30);
    stage.push(Buffer.from('y'));
    clock.advanceTo(110);
    expect(out).toEqual([{ at: 100, data: 'x' }]);
    stage.detach();
    expect(out.map((o) => o.data)).toEqual(['x', 'y']);
    expect(out[1]?.at).toBe(110);
  });

  it('bandwidth stage paces bytes at the rate', () => {
    const clock = new VirtualScheduler();
    const out: { at: number; bytes: number }[] = [];
    const stage = new BandwidthStage(
      { emit: (s) => out.push({ at: clock.now(), bytes: s?.length ?? 0 }), scheduler: clock, random: createRandom(1), closeConnection: () => {}, resetConnection: () => {} },
      { rate: 10 }, // 10 KB/s = 10 bytes/ms, pieces of 1000 bytes
    );
    stage.push(Buffer.alloc(2500));
    clock.advanceTo(10_000);
    expect(out.map((o) => o.bytes)).toEqual([1000, 1000, 500]);
    expect(out.map((o) => o.at)).toEqual([100, 200, 250]);
  });
});

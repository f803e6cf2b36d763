import { describe, expect, it } from 'vitest';
import { namedStreamSeed } from '../core/seed.ts';
import type { ResolvedFunctionDependency } from '../scenario/chaos-types.ts';
import {
  createDependencyInjector,
  DependencyError,
  DependencyTimeout,
  preciseSleep,
  type DependencyCallPlan,
} from './dependencies.ts';
import { paretoQuantile } from './pareto.ts';

const dep = (overrides: Partial<ResolvedFunctionDependency> = {}): ResolvedFunctionDependency => ({
  name: 'attributes',
  latency: { alpha: 1.16, scaleMs: 2, capMs: null },
  errorRate: 0,
  timeoutMs: null,
  hasCall: false,
  ...overrides,
});

/** A fake clock: sleep records the requested wait and resolves at once. */
function fakeSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

async function settle<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  try {
    return { ok: await p };
  } catch (err) {
    return { err };
  }
}

describe('dependency chaos replays from the seed', () => {
  it('the same seed gives the same delays; another seed does not', async () => {
    const run = async (seed: number) => {
      const clock = fakeSleep();
      const injector = createDependencyInjector([dep()], { seed, sleep: clock.sleep });
      for (let i = 0; i < 200; i++) await injector.call('attributes');
      return clock.waits;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
    expect(a.every((ms) => ms >= 2)).toBe(true);
  });

  it('each dependency has its own stream: declaring another one does not shift the first', async () => {
    const alone = fakeSleep();
    const one = createDependencyInjector([dep()], { seed: 3, sleep: alone.sleep });
    const both = createDependencyInjector([dep({ name: 'other' }), dep()], { seed: 3, sleep: async () => undefined });
    const plans: number[] = [];
    const observed = createDependencyInjector([dep({ name: 'other' }), dep()], {
      seed: 3,
      sleep: async () => undefined,
      onPlan: (name, plan) => void (name === 'attributes' && plans.push(plan.delayMs)),
    });
    for (let i = 0; i < 50; i++) {
      await one.call('attributes');
      await both.call('other');
      await observed.call('other');
      await observed.call('attributes');
    }
    expect(plans).toEqual(alone.waits);
    expect(namedStreamSeed(3, 'a')).not.toBe(namedStreamSeed(3, 'b'));
  });

  it('the delay sequence does not depend on errorRate, and scales with the Pareto scale (common random numbers)', async () => {
    const delays = async (d: ResolvedFunctionDependency) => {
      const plans: DependencyCallPlan[] = [];
      const injector = createDependencyInjector([d], { seed: 11, sleep: async () => undefined, onPlan: (_n, p) => void plans.push(p) });
      for (let i = 0; i < 100; i++) await settle(injector.call('attributes'));
      return plans.map((p) => p.delayMs);
    };
    const base = await delays(dep());
    expect(await delays(dep({ errorRate: 0.5 }))).toEqual(base);
    const doubled = await delays(dep({ latency: { alpha: 1.16, scaleMs: 4, capMs: null } }));
    doubled.forEach((d, i) => expect(d / (base[i] as number)).toBeCloseTo(2, 9));
  });

  it('the empirical P99 of 100k delays is within 5% of the analytic quantile', async () => {
    const plans: number[] = [];
    const injector = createDependencyInjector([dep()], { seed: 1, sleep: async () => undefined, onPlan: (_n, p) => void plans.push(p.delayMs) });
    for (let i = 0; i < 100_000; i++) await injector.call('attributes');
    plans.sort((a, b) => a - b);
    const p99 = plans[Math.ceil(0.99 * plans.length) - 1] as number;
    expect(p99 / paretoQuantile({ alpha: 1.16, scale: 2 }, 0.99)).toBeGreaterThan(0.95);
    expect(p99 / paretoQuantile({ alpha: 1.16, scale: 2 }, 0.99)).toBeLessThan(1.05);
  });
});

describe('dependency errors and timeouts', () => {
  it('fails about errorRate of the calls with a DependencyError, after waiting the delay', async () => {
    const clock = fakeSleep();
    const injector = createDependencyInjector([dep({ errorRate: 0.2 })], { seed: 5, sleep: clock.sleep });
    let errors = 0;
    for (let i = 0; i < 5000; i++) {
      const r = await settle(injector.call('attributes'));
      if ('err' in r) {
        expect(r.err).toBeInstanceOf(DependencyError);
        errors++;
      }
    }
    expect(clock.waits).toHaveLength(5000);
    expect(errors).toBe(injector.stats.errors);
    expect(errors / 5000).toBeGreaterThan(0.18);
    expect(errors / 5000).toBeLessThan(0.22);
  });

  it('errorRate 0 never fails and errorRate 1 always fails', async () => {
    const never = createDependencyInjector([dep()], { seed: 1, sleep: async () => undefined });
    const always = createDependencyInjector([dep({ errorRate: 1 })], { seed: 1, sleep: async () => undefined });
    for (let i = 0; i < 500; i++) {
      expect('ok' in (await settle(never.call('attributes')))).toBe(true);
      expect('err' in (await settle(always.call('attributes')))).toBe(true);
    }
  });

  it('a delay over the timeout waits exactly the timeout, then rejects with a DependencyTimeout', async () => {
    const clock = fakeSleep();
    const plans: DependencyCallPlan[] = [];
    const injector = createDependencyInjector([dep({ timeoutMs: 10, errorRate: 1 })], { seed: 9, sleep: clock.sleep, onPlan: (_n, p) => void plans.push(p) });
    for (let i = 0; i < 2000; i++) {
      const r = await settle(injector.call('attributes'));
      const plan = plans[i] as DependencyCallPlan;
      expect('err' in r).toBe(true);
      const err = (r as { err: unknown }).err;
      if (plan.delayMs > 10) {
        expect(err).toBeInstanceOf(DependencyTimeout);
        expect(clock.waits[i]).toBe(10);
        expect((err as DependencyTimeout).delayMs).toBe(plan.delayMs);
      } else {
        // Within the timeout, the error (rate 1) comes after the full delay.
        expect(err).toBeInstanceOf(DependencyError);
        expect(clock.waits[i]).toBe(plan.delayMs);
      }
    }
    // P(X > 10) = (2/10)^1.16 ~ 15.5% of calls time out.
    expect(injector.stats.timeouts / 2000).toBeGreaterThan(0.12);
    expect(injector.stats.timeouts / 2000).toBeLessThan(0.19);
  });

  it('returns the stub answer, counts the injected wait per call, and rejects unknown names', async () => {
    const injector = createDependencyInjector([dep({ latency: { alpha: 2, scaleMs: 1, capMs: 1 } })], {
      seed: 1,
      sleep: async () => undefined,
      stubs: { attributes: (req) => ({ echoed: req }) },
    });
    await expect(injector.call('attributes', 42)).resolves.toEqual({ echoed: 42 });
    await injector.call('attributes');
    expect(injector.takeInjectedMs()).toBe(2);
    expect(injector.takeInjectedMs()).toBe(0);
    await expect(injector.call('nope')).rejects.toThrow(/unknown dependency "nope".*declared: "attributes"/);
  });

  it('a dependency without latency answers at once', async () => {
    const clock = fakeSleep();
    const injector = createDependencyInjector([dep({ latency: null })], { seed: 1, sleep: clock.sleep, stubs: { attributes: async () => 'yes' } });
    await expect(injector.call('attributes')).resolves.toBe('yes');
    expect(clock.waits).toEqual([]);
  });
});

describe('preciseSleep', () => {
  it('waits until the injected clock passes the deadline', async () => {
    let t = 0;
    const now = () => (t += 0.25);
    await preciseSleep(1, now);
    expect(t).toBeGreaterThanOrEqual(1.25);
  });
});

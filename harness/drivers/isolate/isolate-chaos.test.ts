import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram, initHistograms } from '../../measure/histogram.ts';
import type { ResolvedChaos } from '../../scenario/chaos-types.ts';
import { loadScenarioFile } from '../../scenario/load.ts';
import type { IsolateConfig } from './protocol.ts';
import { createChaosBuffers, createLoopChaos, createTargetContext, effectiveChaos, readChaosSnapshot } from './isolate-chaos.ts';

beforeAll(async () => {
  await initHistograms();
});

async function config(overrides: Partial<IsolateConfig> = {}): Promise<IsolateConfig> {
  const [scenario] = await loadScenarioFile(path.resolve('test/fixtures/chaos/pareto-only.scenario.ts'));
  return { scenario: scenario as IsolateConfig['scenario'], seed: 3, mode: { kind: 'fuzz', durationMs: 1, calls: null }, seeds: [], confirmRepeats: 0, snapshotIntervalMs: 250, generation: 0, avoid: [], ...overrides };
}

describe('dependency chaos inside the isolate', () => {
  it('a step override replaces the scenario chaos; no dependencies means no buffers', async () => {
    const c = await config();
    expect(effectiveChaos(c)?.dependencies[0]?.name).toBe('backend');
    const none: ResolvedChaos = { dependencies: [], cpu: null };
    expect(effectiveChaos(await config({ chaos: none }))).toBe(none);
    expect(createChaosBuffers(await config({ chaos: none }))).toBeUndefined();
    expect(readChaosSnapshot(undefined)).toBeUndefined();
  });

  it('records the injected delay of measured calls into shared counts; confirmation re-runs are not counted', async () => {
    const c = await config();
    const buffers = createChaosBuffers(c);
    const chaos = await createLoopChaos(c, buffers);
    expect(chaos).not.toBeNull();
    const loop = chaos as NonNullable<typeof chaos>;
    const ctx = createTargetContext(c.seed, loop.injector);
    // The fixture's stub answers { ok: id > 0 }.
    await expect(ctx.dependency('backend', { id: 1 })).resolves.toEqual({ ok: true });
    const first = loop.record(false);
    expect(first).toBeGreaterThanOrEqual(0.2);
    await ctx.dependency('backend', { id: 1 });
    await ctx.dependency('backend', { id: 1 });
    const second = loop.record(true);
    await ctx.dependency('backend', { id: 1 });
    loop.discard();
    const snapshot = readChaosSnapshot(buffers);
    expect(snapshot).toMatchObject({ dependencyCalls: 3, dependencyErrors: 0, dependencyTimeouts: 0, failedCalls: 1 });
    const h = decodeHistogram(snapshot?.injected ?? '');
    expect(h.totalCount).toBe(2);
    expect(h.maxValue / 1000).toBeCloseTo(Math.max(first, second), 1);
    h.destroy();
  });

  it('a context without chaos rejects dependency calls with a clear message', async () => {
    await expect(createTargetContext(1, null).dependency('db')).rejects.toThrow(/declares no dependencies/);
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDependencyInjector } from '../chaos/dependencies.ts';
import { initHistograms } from '../measure/histogram.ts';
import type { InjectedDelaySummary } from '../core/results-schema.ts';
import type { ResolvedChaos } from '../scenario/chaos-types.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { paretoOnlyScenario, sampledInjectedDelayStep } from '../../test/fixtures/chaos/synthetic-pareto.ts';
import { runBreakingPoint, type BreakingPointScenario } from './breaking-point-runner.ts';

const run = promisify(execFile);

beforeAll(async () => {
  await initHistograms();
});

describe('breaking-point runner on a target whose latency is only the injected Pareto delay', () => {
  it.each([
    { alpha: 1.16, sloMs: 100, seed: 1 },
    { alpha: 1.16, sloMs: 100, seed: 5 },
    { alpha: 1.5, sloMs: 50, seed: 3 },
  ])('lands within 10% of SLO * 0.01^(1/alpha) (alpha $alpha, seed $seed)', async ({ alpha, sloMs, seed }) => {
    const analytic = sloMs * Math.pow(0.01, 1 / alpha);
    const report = await runBreakingPoint(paretoOnlyScenario(alpha, sloMs), { seed, seeds: [], measureStep: sampledInjectedDelayStep(seed) });
    expect(report).not.toBeNull();
    const r = report as NonNullable<typeof report>;
    expect(r.status).toBe('found');
    expect(r.knobUnit).toBe('ms');
    expect(Math.abs((r.breakingPoint as number) / analytic - 1)).toBeLessThan(0.1);
    expect(r.bracket.passing as number).toBeLessThan(r.bracket.failing as number);
    expect(r.bracket.passing as number).toBeLessThan(analytic * 1.001);
    const intensities = r.curve.map((p) => p.intensity);
    expect(intensities).toEqual([...intensities].sort((a, b) => a - b));
    for (const p of r.curve) {
      expect(p.p99LowerMs).toBeLessThanOrEqual(p.p99Ms);
      if (p.p99UpperMs !== null) expect(p.p99UpperMs).toBeGreaterThanOrEqual(p.p99Ms);
    }
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('honours its time budget: a budget smaller than one step measures nothing', async () => {
    let measured = 0;
    const report = await runBreakingPoint(paretoOnlyScenario(1.16, 100, 1), {
      seed: 1,
      seeds: [],
      measureStep: async (chaos, ms) => {
        measured++;
        return sampledInjectedDelayStep(1)(chaos, ms);
      },
    });
    expect(measured).toBe(0);
    expect(report?.status).toBe('budget-exhausted');
    expect(report?.steps).toBe(0);
  });

  it('returns null for a scenario without breakingPoint', async () => {
    const { breakingPoint: _omit, ...rest } = paretoOnlyScenario(1.16, 100);
    expect(await runBreakingPoint(rest as BreakingPointScenario, { seed: 1, seeds: [] })).toBeNull();
  });
});

describe('a real isolate step with dependency chaos', () => {
  it('injects exactly the seeded delays (replay), and every call lasts at least its injected delay', async () => {
    const seed = 4242;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/chaos/measure-step.ts', 'test/fixtures/chaos/pareto-only.scenario.ts', String(seed), '600'], { timeout: 60_000 });
    const step = JSON.parse(stdout) as { calls: number; latencyP50Ms: number; latencyMaxMs: number; injected: InjectedDelaySummary };
    const n = step.injected.perCall.count;
    expect(n).toBeGreaterThan(20);
    expect(step.injected.dependencyCalls).toBe(n);
    expect(step.calls).toBe(n);
    // The same seed through the pure injector: the same delays, call for call.
    const file = path.resolve('test/fixtures/chaos/pareto-only.scenario.ts');
    const [scenario] = (await loadScenarioFile(file)) as BreakingPointScenario[];
    const chaos = (scenario as BreakingPointScenario).chaos as ResolvedChaos;
    const draws: number[] = [];
    const pure = createDependencyInjector(chaos.dependencies, { seed, sleep: async () => undefined, onPlan: (_n, p) => void draws.push(p.waitMs) });
    for (let i = 0; i < n; i++) await pure.call('backend');
    draws.sort((a, b) => a - b);
    const relative = (a: number, b: number) => Math.abs(a / b - 1);
    // HDR buckets keep 3 significant digits (and 1 µs resolution).
    expect(relative(step.injected.perCall.p50Ms, draws[Math.ceil(0.5 * n) - 1] as number)).toBeLessThan(0.01);
    expect(relative(step.injected.perCall.maxMs, draws[n - 1] as number)).toBeLessThan(0.01);
    // A call waits its injected delay, so every latency quantile is at least the injected one.
    expect(step.latencyP50Ms).toBeGreaterThanOrEqual(step.injected.perCall.p50Ms * 0.99);
    expect(step.latencyMaxMs).toBeGreaterThanOrEqual(step.injected.perCall.maxMs * 0.99);
  }, 90_000);
});

describe('breaking-point runner when a step cannot be measured', () => {
  it('stops, keeps the steps measured so far and says why', async () => {
    let calls = 0;
    const report = await runBreakingPoint(paretoOnlyScenario(1.16, 100), {
      seed: 1,
      seeds: [],
      measureStep: async (chaos, ms) => {
        calls++;
        if (calls === 2) throw new Error('breaking-point step failed: the isolate failed to start');
        return sampledInjectedDelayStep(1)(chaos, ms);
      },
    });
    expect(calls).toBe(2);
    expect(report?.status).toBe('budget-exhausted');
    expect(report?.statusReason).toMatch(/isolate failed to start/);
    expect(report?.curve.map((p) => p.intensity)).toEqual([0.1]);
  });
});

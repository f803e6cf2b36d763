/**
 * The probe on real targets (real child process, real worker threads). No absolute times:
 * the memoising fixture's cost is a counted loop, so first calls and cache hits differ by
 * orders of magnitude, and the assertions are ratios.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../scenario/load.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { startProbe, type FirstCallProbe } from './probe.ts';
import type { ProbeCall } from './probe-protocol.ts';
import { trackedChildCount } from '../../core/process-registry.ts';
import { medianLow } from '../../core/stats.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures/regression');
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

async function scenarioFrom(file: string): Promise<ResolvedScenario> {
  const [scenario] = await loadScenarioFile(path.join(FIXTURES, file), FIXTURES);
  if (!scenario) throw new Error(`no scenario in ${file}`);
  return scenario;
}

/**
 * The old way: repeat the input in ONE warm instance of the target and take the median
 * (what a warm worker's confirm-by-repeat sees). Run here, in this process, on a fresh
 * import of the fixture module.
 */
async function warmRepeatMedian(input: string, repeats: number): Promise<number> {
  const mod = (await import(`${pathToFileURL(path.join(FIXTURES, 'memo.scenario.ts')).href}?fresh=${Date.now()}`)) as { default: { target: (s: string) => number } };
  const latencies: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    mod.default.target(input);
    latencies.push(performance.now() - t0);
  }
  return medianLow(latencies);
}

describe('probe isolate: first calls of a memoising target', () => {
  let memo: ResolvedScenario;
  let probe: FirstCallProbe;
  beforeAll(async () => {
    memo = await scenarioFrom('memo.scenario.ts');
    probe = await startProbe(memo, { workers: 3 });
  });
  afterAll(async () => {
    await probe.close();
  });

  it('measures every input as a first call in each of k workers', async () => {
    const slow = await probe.measure(text('a'.repeat(40))); // 32M loop iterations on first sight
    const cheap = await probe.measure(text('b'.repeat(40))); // none
    expect(slow.latenciesMs).toHaveLength(3);
    expect(slow.calls.every((c) => c.kind === 'ok')).toBe(true);
    expect(Math.min(...slow.latenciesMs)).toBeGreaterThan(20 * Math.max(...cheap.latenciesMs));
    // Asking again does not call the target again (it would hit the cache): the first-call answer is kept.
    const again = await probe.measure(text('a'.repeat(40)));
    expect(again.memoised).toBe(true);
    expect(again.latenciesMs).toEqual(slow.latenciesMs);
  });

  it('confirms a slow input that repeating in one warm worker would call fast', async () => {
    const firstCalls = await probe.measure(text('a'.repeat(41)));
    const warm = await warmRepeatMedian('a'.repeat(41), 5);
    // Only the warm worker's first repeat pays; the median of 5 is a cache hit.
    expect(firstCalls.medianMs).toBeGreaterThan(20 * warm);
  });
});

describe('probe isolate: watchdog and crashes', () => {
  let kinds: ResolvedScenario;
  let probe: FirstCallProbe;
  beforeAll(async () => {
    kinds = await scenarioFrom('kinds.scenario.ts');
    probe = await startProbe(kinds, { workers: 2 });
  });
  afterAll(async () => {
    await probe.close();
  });

  const kindsOf = (calls: ProbeCall[]): string[] => calls.map((c) => c.kind);

  it('kills a hanging call at the timeout, counts it as >= the timeout, and replaces the worker', async () => {
    const hang = await probe.measure(text('HANG'));
    expect(kindsOf(hang.calls)).toEqual(['timeout', 'timeout']);
    expect(Math.min(...hang.latenciesMs)).toBeGreaterThanOrEqual(kinds.timeoutMs);
    expect(kindsOf((await probe.measure(text('fine'))).calls)).toEqual(['ok', 'ok']);
  });

  it('reports exits and unexpected throws without dying; expected errors are normal returns', async () => {
    expect(kindsOf((await probe.measure(text('EXIT'))).calls)).toEqual(['exit', 'exit']);
    const threw = await probe.measure(text('THROW'));
    expect(kindsOf(threw.calls)).toEqual(['threw', 'threw']);
    expect(threw.calls[0]?.message).toMatch(/TypeError: unexpected/);
    expect(kindsOf((await probe.measure(text('REJECT'))).calls)).toEqual(['ok', 'ok']);
    expect(kindsOf((await probe.measure(text('fine again'))).calls)).toEqual(['ok', 'ok']);
  });

  it('closes its child process', async () => {
    const extra = await startProbe(kinds, { workers: 1 });
    const before = trackedChildCount();
    await extra.close();
    expect(trackedChildCount()).toBe(before - 1);
  });
});

describe('probe isolate: shrinking structured values where the arbitrary lives', () => {
  it('shrinks a fast-check value with its own shrinker, measuring first calls', async () => {
    const arb = await scenarioFrom('arb.scenario.ts');
    const probe = await startProbe(arb, { workers: 3 });
    try {
      const original = Array.from({ length: 40 }, (_, i) => i % 10);
      const reply = await probe.shrinkArbitrary({ input: new Uint8Array(v8.serialize(original)), budgetMs: arb.slo.perCallMs, margin: 1.5, maxMs: 60_000, maxOracleCalls: 40 });
      expect(reply.initialViolates).toBe(true);
      const shrunk = v8.deserialize(reply.input) as number[];
      expect(shrunk.length).toBeLessThan(original.length);
      expect(shrunk.length).toBeGreaterThan(0);
      expect(reply.size).toBeLessThan(reply.originalSize);
    } finally {
      await probe.close();
    }
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusStore, type ViolationFields } from '../engine/corpus.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import type { ProbeCall } from '../drivers/isolate/probe-protocol.ts';
import type { FirstCallProbe } from '../drivers/isolate/probe.ts';
import { judgeReplay, replayViolations } from './regression.ts';

const call = (ms: number, kind: ProbeCall['kind'] = 'ok', message: string | null = null): ProbeCall => ({ kind, ms, message, stack: null });

describe('judgeReplay', () => {
  it('judges latency findings on the median first call against the per-call budget', () => {
    expect(judgeReplay('slow', [call(80), call(90), call(10)], 50).status).toBe('still-failing');
    expect(judgeReplay('slow', [call(80), call(20), call(10)], 50).status).toBe('fixed');
    expect(judgeReplay('timeout', [call(2000, 'timeout'), call(2000, 'timeout'), call(5)], 50).status).toBe('still-failing');
  });

  it('keeps a call killed at the timeout failing when the timeout equals the per-call budget', () => {
    expect(judgeReplay('timeout', [call(2000, 'timeout'), call(2000, 'timeout'), call(2000, 'timeout')], 2000).status).toBe('still-failing');
    expect(judgeReplay('timeout', [call(2000, 'timeout'), call(5), call(5)], 2000).status).toBe('fixed');
  });

  it('keeps crashes failing while any first call still crashes, whatever the kind recorded', () => {
    expect(judgeReplay('exit', [call(1, 'exit', 'exit(3)'), call(1), call(1)], 50)).toMatchObject({ status: 'still-failing', detail: 'exit: exit(3)' });
    expect(judgeReplay('slow', [call(1, 'oom'), call(1), call(1)], 50).status).toBe('still-failing');
    expect(judgeReplay('crash', [call(1), call(1), call(1)], 50).status).toBe('fixed');
  });

  it('keeps an unexpected throw failing while it still throws', () => {
    expect(judgeReplay('error', [call(1, 'threw', 'TypeError: x'), call(1, 'threw'), call(1, 'threw')], 50).status).toBe('still-failing');
    expect(judgeReplay('error', [call(1), call(1), call(1)], 50).status).toBe('fixed');
    // A throw on a latency finding is the target's business, not this regression's.
    expect(judgeReplay('slow', [call(1, 'threw'), call(1, 'threw'), call(1, 'threw')], 50).status).toBe('fixed');
  });
});

describe('replayViolations: records are data, the scenario is the one run', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'regression-records-'));
    await mkdir(path.join(root, 'scenarios'));
    await writeFile(path.join(root, 'scenarios/s.scenario.ts'), 'export default {}');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const scenario = (): ResolvedScenario =>
    ({ name: 's', file: path.join(root, 'scenarios/s.scenario.ts'), input: { corpusDir: path.join(root, 'corpora/s') }, slo: { perCallMs: 50 } }) as unknown as ResolvedScenario;

  function countingProbe(): FirstCallProbe & { measured: string[] } {
    const measured: string[] = [];
    const measure = async (input: Uint8Array) => {
      measured.push(Buffer.from(input).toString());
      return { calls: [call(80), call(80), call(80)], latenciesMs: [80, 80, 80], medianMs: 80, memoised: false };
    };
    return { workers: 3, measured, measure, measureOne: async () => call(80), shrinkArbitrary: () => Promise.reject(new Error('unused')), close: async () => undefined };
  }

  const fields = (overrides: Partial<ViolationFields> = {}): ViolationFields => ({
    scenario: 's', scenarioFile: '../../../scenarios/s.scenario.ts', scenarioIndex: 0, kind: 'slow', latencyMs: 80, budgetMs: 50, timeoutMs: 2000,
    seed: 1, engine: 'builtin', encoding: 'utf8', message: null, stack: null, foundAt: '2026-01-01T00:00:00.000Z', replay: '', ...overrides,
  });

  it('replays its own records, and reports (never measures) records of another scenario or scenario file', async () => {
    const store = new CorpusStore(path.join(root, 'corpora/s'));
    await store.saveViolation(Buffer.from('own'), fields());
    await store.saveViolation(Buffer.from('other name'), fields({ scenario: 'other' }));
    await store.saveViolation(Buffer.from('other file'), fields({ scenarioFile: '/tmp/evil.scenario.mjs' }));
    const probe = countingProbe();
    const replayed = await replayViolations(scenario(), probe, root);
    expect(probe.measured).toEqual(['own']);
    const byStatus = replayed.map((r) => r.entry.status).sort();
    expect(byStatus).toEqual(['error', 'error', 'still-failing']);
    const details = replayed.filter((r) => r.entry.status === 'error').map((r) => r.entry.detail).join('\n');
    expect(details).toMatch(/names scenario "other", not "s"/);
    expect(details).toMatch(/names scenario file \/tmp\/evil\.scenario\.mjs/);
  });

  it('a violations/ folder that is a symlink out of the corpus is one error entry', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'regression-outside-'));
    try {
      await mkdir(path.join(root, 'corpora/s'), { recursive: true });
      await symlink(outside, path.join(root, 'corpora/s/violations'));
      const probe = countingProbe();
      const replayed = await replayViolations(scenario(), probe, root);
      expect(replayed.map((r) => [r.entry.status, r.entry.detail])).toEqual([['error', expect.stringMatching(/symlink that leads outside/)]]);
      expect(probe.measured).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

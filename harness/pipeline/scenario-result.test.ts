import { beforeAll, describe, expect, it } from 'vitest';
import { createLatencyHistogram, initHistograms, msToUs } from '../measure/histogram.ts';
import type { ResolvedScenarioBase } from '../scenario/types.ts';
import { buildScenarioResult, completion, type ScenarioMeasured } from './scenario-result.ts';

beforeAll(async () => {
  await initHistograms();
});

const scenario = {
  name: 'checkout',
  file: '/project/scenarios/checkout.scenario.ts',
  index: 0,
  input: { type: 'string', maxLength: 64, dictionary: [], corpusDir: '/project/corpora/checkout' },
  slo: { thresholds: [], perCallMs: 20 },
  timeoutMs: 2000,
  budget: { durationMs: 1000, calls: null },
  seed: null,
  engine: 'builtin',
  memoryLimitMb: 256,
} as ResolvedScenarioBase;

function measured(histogram: ReturnType<typeof createLatencyHistogram>): ScenarioMeasured {
  return {
    cwd: '/project',
    seed: 7,
    engine: { requested: 'auto', used: 'builtin', note: null },
    seeds: 3,
    budget: { durationMs: 1000, calls: null },
    ...completion(null, false),
    durationMs: 1200,
    histogram,
    callsPerSecond: 2,
    restarts: 0,
    slos: [],
    verdict: 'PASS',
    findings: [],
  };
}

describe('buildScenarioResult', () => {
  it('derives identity and latency from the scenario and the histogram, in results.json order, extras last', () => {
    const histogram = createLatencyHistogram();
    histogram.recordValue(msToUs(5));
    histogram.recordValue(msToUs(9));
    const result = buildScenarioResult(scenario, measured(histogram), { regression: { replayed: 0, stillFailing: 0, fixed: 0, errors: 0, entries: [] } });
    histogram.destroy();
    expect(Object.keys(result)).toEqual([
      'name', 'description', 'file', 'seed', 'engine', 'input', 'timeoutMs', 'budget', 'status', 'statusReason', 'durationMs',
      'calls', 'callsPerSecond', 'restarts', 'latency', 'slos', 'verdict', 'findings', 'perCallBudgetMs', 'regression',
    ]);
    expect(result.file).toBe('scenarios/checkout.scenario.ts');
    expect(result.input).toEqual({ type: 'string', maxLength: 64, corpusDir: 'corpora/checkout', seeds: 3 });
    expect(result.description).toBeNull();
    expect(result.calls).toBe(2);
    expect(result.perCallBudgetMs).toBe(20);
  });

  it('completion: a fatal error wins over an interrupt, and each says why', () => {
    expect(completion('host died', true)).toEqual({ status: 'error', statusReason: 'host died' });
    expect(completion(null, true)).toEqual({ status: 'interrupted', statusReason: 'interrupted by signal' });
    expect(completion(null, false)).toEqual({ status: 'complete', statusReason: null });
  });
});

import { describe, expect, it } from 'vitest';
import { paretoQuantile } from './pareto-fit.ts';
import { resolveScenarios, ScenarioError, type ScenarioIssue } from './schema.ts';

const FILE = '/project/scenarios/chaos.scenario.ts';

const base = {
  name: 'chaos',
  target: async () => undefined,
  input: { type: 'bytes' as const },
  slo: { p99: '20ms' },
};

function issuesOf(spec: Record<string, unknown>): ScenarioIssue[] {
  try {
    resolveScenarios({ ...base, ...spec }, { file: FILE });
  } catch (error) {
    if (error instanceof ScenarioError) {
      expect(error.message).toContain(FILE);
      return error.issues;
    }
    throw error;
  }
  throw new Error('accepted');
}

function resolved(spec: Record<string, unknown>) {
  const [s] = resolveScenarios({ ...base, ...spec }, { file: FILE });
  return s as unknown as { chaos?: { dependencies: Array<Record<string, unknown>>; cpu: Record<string, unknown> | null }; breakingPoint?: Record<string, unknown> };
}

describe('chaos fields: resolution', () => {
  it('resolves Pareto and percentile latencies, error rates, timeouts and CPU stress', () => {
    const s = resolved({
      dependencies: {
        attributes: { latency: { alpha: 1.16, scale: '2ms', cap: '1s' }, errorRate: 0.01, timeout: '100ms', call: () => 1 },
        audit: { latency: { p50: '5ms', p99: '200ms' } },
      },
      chaos: { cpu: { duty: 0.5, threads: 2 } },
    });
    const [attributes, audit] = s.chaos?.dependencies ?? [];
    expect(attributes).toEqual({ name: 'attributes', latency: { alpha: 1.16, scaleMs: 2, capMs: 1000 }, errorRate: 0.01, timeoutMs: 100, hasCall: true });
    const latency = audit?.['latency'] as { alpha: number; scaleMs: number };
    expect(paretoQuantile({ alpha: latency.alpha, scale: latency.scaleMs }, 0.99)).toBeCloseTo(200, 6);
    expect(s.chaos?.cpu).toEqual({ duty: 0.5, threads: 2, tool: 'burner' });
    expect(s.breakingPoint).toBeUndefined();
  });

  it('fills breakingPoint defaults', () => {
    const s = resolved({
      dependencies: { attributes: { latency: { alpha: 1.16, scale: '1ms' } } },
      breakingPoint: { knob: 'dependency.attributes.scale', range: [0.1, 50] },
    });
    expect(s.breakingPoint).toEqual({
      knob: 'dependency.attributes.scale',
      range: { lo: 0.1, hi: 50 },
      tolerance: 0.1,
      stepDurationMs: 2000,
      metric: 'p99',
      budgetMs: 60_000,
      maxSteps: 16,
    });
  });

  it('a scenario without chaos has no chaos fields', () => {
    const s = resolved({});
    expect('chaos' in s).toBe(false);
    expect('breakingPoint' in s).toBe(false);
  });
});

describe('chaos fields: errors name the field and the fix', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp, RegExp]> = [
    ['half a Pareto', { dependencies: { db: { latency: { alpha: 1.2 } } } }, 'dependencies.db.latency', /needs both alpha and scale/, /alpha: 1.16, scale/],
    ['both parameterisations', { dependencies: { db: { latency: { alpha: 1.2, scale: '1ms', p50: '1ms', p99: '2ms' } } } }, 'dependencies.db.latency', /not both/, /p50: "5ms", p99/],
    ['p99 below p50', { dependencies: { db: { latency: { p50: '5ms', p99: '1ms' } } } }, 'dependencies.db.latency', /p99 must exceed p50/, /latency is/],
    ['error rate over 1', { dependencies: { db: { errorRate: 2 } } }, 'dependencies.db.errorRate', /1/, /probability between 0 and 1/],
    ['bad timeout', { dependencies: { db: { timeout: 'soon' } } }, 'dependencies.db.timeout', /expected a duration/, /"100ms"/],
    ['call not a function', { dependencies: { db: { call: 42 } } }, 'dependencies.db.call', /expected a function/, /call: \(request\)/],
    ['bad dependency name', { dependencies: { 'a b': {} } }, 'dependencies.a b', /letters, digits/, /dependencies is/],
    ['duty over 1', { chaos: { cpu: { duty: 1.5 } } }, 'chaos.cpu.duty', /1/, /duty: 0..1/],
    ['unknown stress tool', { chaos: { cpu: { duty: 0.5, tool: 'yes' } } }, 'chaos.cpu.tool', /burner|stress-ng/, /"burner" \| "stress-ng"/],
    ['inverted range', { dependencies: { db: { latency: { alpha: 1.2, scale: '1ms' } } }, breakingPoint: { knob: 'factor', range: [5, 1] } }, 'breakingPoint.range', /lo < hi/, /\[lo, hi\]/],
    ['undeclared dependency knob', { breakingPoint: { knob: 'dependency.db.scale', range: [0.1, 5] } }, 'breakingPoint.knob', /not declared/, /declare it/],
    ['dependency knob without latency', { dependencies: { db: { errorRate: 0.1 } }, breakingPoint: { knob: 'dependency.db.scale', range: [0.1, 5] } }, 'breakingPoint.knob', /no latency/, /latency: \{ alpha/],
    ['unknown knob', { chaos: { cpu: { duty: 0.1 } }, breakingPoint: { knob: 'rate', range: [1, 5] } }, 'breakingPoint.knob', /unknown knob "rate"/, /dependency.<name>.scale/],
    ['duty range over 1', { breakingPoint: { knob: 'cpu.duty', range: [0, 2] } }, 'breakingPoint.range', /fraction/, /within \[0, 1\]/],
    ['factor without chaos', { breakingPoint: { knob: 'factor', range: [0.5, 4] } }, 'breakingPoint.knob', /declares none/, /declare dependencies/],
    ['no p99 to break', { slo: { p50: '1ms' }, chaos: { cpu: { duty: 0.1 } }, breakingPoint: { knob: 'cpu.duty', range: [0, 1] } }, 'slo.p99', /no p99/, /p99: "20ms"/],
  ];
  for (const [title, spec, field, problem, fix] of cases) {
    it(title, () => {
      const issues = issuesOf(spec);
      const issue = issues.find((i) => i.field === field);
      expect(issue, JSON.stringify(issues)).toBeDefined();
      expect(issue?.problem).toMatch(problem);
      expect(issue?.fix).toMatch(fix);
    });
  }

  it('prefixes the index of a scenario in an exported array', () => {
    try {
      resolveScenarios([{ ...base, name: 'a' }, { ...base, name: 'b', breakingPoint: { knob: 'nope', range: [0, 1] } }], { file: FILE });
      throw new Error('accepted');
    } catch (error) {
      expect((error as ScenarioError).issues.map((i) => i.field)).toContain('[1].breakingPoint.knob');
    }
  });
});

describe('chaos fixture scenarios load', () => {
  it.each(['pareto-only', 'cpu-stress', 'policy-with-attributes'])('test/fixtures/chaos/%s.scenario.ts', async (name) => {
    const { loadScenarioFile } = await import('./load.ts');
    const path = await import('node:path');
    const [s] = (await loadScenarioFile(path.resolve(`test/fixtures/chaos/${name}.scenario.ts`))) as Array<{ chaos?: unknown }>;
    expect(s?.chaos).toBeDefined();
  });
});

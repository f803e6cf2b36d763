/** Validation of service scenarios: every problem names the file, the field and a fix. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveScenarios, ScenarioError } from '../../scenario/schema.ts';
import type { ResolvedServiceScenario } from '../../scenario/service-types.ts';

const FILE = '/project/scenarios/svc.scenario.ts';

function valid(): Record<string, unknown> {
  return {
    name: 'svc',
    service: {
      command: ['{node}', 'server.mjs', '--port', '{port}', '--dep', '{dep.attrs}'],
      ready: { path: '/healthz' },
      request: (input: string) => ({ method: 'POST', path: '/x', body: input }),
      rate: 100,
    },
    dependencies: {
      attrs: { command: ['{node}', 'attrs.mjs', '{port}'], toxics: [{ type: 'latency', attributes: { distribution: 'pareto', alpha: 1.5, scale: 1 } }] },
    },
    input: { type: 'string' },
    slo: { p99: '50ms' },
    breakingPoint: { knob: 'dependency.attrs.latency', range: [0.5, 20] },
  };
}

function issuesOf(spec: unknown): ScenarioError['issues'] {
  try {
    resolveScenarios(spec, { file: FILE });
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toContain(FILE);
    return (error as ScenarioError).issues;
  }
  throw new Error('expected a ScenarioError');
}

describe('service scenario schema', () => {
  it('resolves a valid service scenario with defaults filled', () => {
    const [s] = resolveScenarios(valid(), { file: FILE }) as ResolvedServiceScenario[];
    expect(s?.kind).toBe('service');
    expect(s?.service.connections).toBe(10);
    expect(s?.service.durationMs).toBe(5000);
    expect(s?.service.ready.timeoutMs).toBe(10_000);
    expect(s?.dependencies[0]).toMatchObject({ name: 'attrs', address: null, toxics: [{ type: 'latency', stream: 'downstream', toxicity: 1 }] });
    expect(s?.breakingPoint).toMatchObject({ knob: 'dependency.attrs.latency', target: { kind: 'dependency-latency', dependency: 'attrs' }, range: { lo: 0.5, hi: 20 } });
    expect(s?.input.corpusDir).toBe('/project/corpora/svc');
  });

  it('keeps an arbitrary for in-process request building', () => {
    const spec = { ...valid(), input: { type: 'arbitrary', arbitrary: fc.string() } };
    const [s] = resolveScenarios(spec, { file: FILE }) as ResolvedServiceScenario[];
    expect(s?.arbitrary).toBeDefined();
  });

  it.each([
    ['service.command', (s: any) => (s.service.command = 'node server.mjs --port {port}'), /argv/],
    ['service.rate', (s: any) => (s.service.rate = -1), /requests per second/],
    ['service.request', (s: any) => (s.service.request = 'POST /x'), /request builder/],
    ['service.ready.path', (s: any) => (s.service.ready = { path: 'healthz' }), /ready is/],
    ['dependencies.attrs.toxics.0.type', (s: any) => (s.dependencies.attrs.toxics[0].type = 'latencyy'), /Toxiproxy toxics/],
    ['dependencies.attrs', (s: any) => (s.dependencies.attrs = { address: 'nowhere' }), /dependency is/],
  ])('%s: names the field and a fix', (field, mutate, fix) => {
    const spec = valid();
    mutate(spec);
    const issue = issuesOf(spec).find((i) => i.field.startsWith(field));
    expect(issue, JSON.stringify(issuesOf(spec))).toBeDefined();
    expect(issue?.fix).toMatch(fix);
  });

  it('cross-checks placeholders, knobs and the SLO', () => {
    const noPort = valid();
    (noPort['service'] as { command: string[] }).command = ['{node}', 'server.mjs', '{dep.nope}', '{prot}'];
    const fields = issuesOf(noPort).map((i) => i.field + ': ' + i.problem);
    expect(fields.some((f) => f.startsWith('service.command: unknown placeholder {prot}'))).toBe(true);
    expect(fields.some((f) => f.includes('{dep.nope} names no dependency'))).toBe(true);
    expect(fields.some((f) => f.includes('never passes {port}'))).toBe(true);

    const badKnob = { ...valid(), breakingPoint: { knob: 'dependency.other.latency', range: [1, 2] } };
    expect(issuesOf(badKnob)[0]).toMatchObject({ field: 'breakingPoint.knob' });
    const noToxic = valid();
    (noToxic['dependencies'] as { attrs: { toxics: unknown[] } }).attrs.toxics = [];
    expect(issuesOf(noToxic)[0]?.field).toBe('dependencies.attrs.toxics');
    const noP99 = { ...valid(), slo: { p50: '5ms' } };
    expect(issuesOf(noP99)[0]?.field).toBe('slo.p99');
    const zeroRate = { ...valid(), breakingPoint: { knob: 'rate', range: [0, 100] } };
    expect(issuesOf(zeroRate)[0]?.field).toBe('breakingPoint.range');
  });

  it('prefixes issues of one scenario in an array export with its index', () => {
    const bad = valid();
    (bad['service'] as { rate: number }).rate = 0;
    expect(issuesOf([valid(), { ...bad, name: 'two' }])[0]?.field).toBe('[1].service.rate');
  });
});

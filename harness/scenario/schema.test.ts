import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario } from './define.ts';
import { loadScenarioFile } from './load.ts';
import { resolveScenarios, ScenarioError } from './schema.ts';

const dir = path.resolve('test/fixtures/malformed');

async function problems(file: string): Promise<ScenarioError> {
  try {
    await loadScenarioFile(file);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error(`${file} was accepted`);
}

describe('scenario validation messages name the file, the field and the fix', () => {
  const cases: Array<[string, string, RegExp, RegExp]> = [
    ['missing-slo', 'slo', /required field is missing \(expected object\)/, /slo: \{ p99: "5ms" \}/],
    ['bad-duration', 'slo.p99', /expected a duration like "500us".*"fast"/, /durations such as/],
    ['target-not-function', 'target', /expected a function/, /target: \(input\) => parse\(input\)/],
    ['unknown-field', '(scenario)', /unrecognized key.*"timout"/i, /check its spelling/],
    ['bad-input-type', 'input.type', /invalid/i, /"bytes", "string" or "arbitrary"/],
    ['bad-name', 'name', /letters, digits/, /file-name safe name/],
    ['no-default-export', 'default export', /no default export/, /export default defineScenario/],
  ];
  for (const [name, field, problem, fix] of cases) {
    it(name, async () => {
      const file = path.join(dir, `${name}.scenario.ts`);
      const error = await problems(file);
      expect(error.message).toContain(file);
      const issue = error.issues.find((i) => i.field === field || (field === '(scenario)' && i.field === ''));
      expect(issue, `issues: ${JSON.stringify(error.issues)}`).toBeDefined();
      expect(issue?.problem).toMatch(problem);
      expect(issue?.fix).toMatch(fix);
    });
  }

  it('a syntax error names the file and says it cannot be loaded', async () => {
    // test-output/ is git-ignored: a fresh checkout does not have it yet.
    await mkdir(path.resolve('test-output'), { recursive: true });
    const tmp = await mkdtemp(path.resolve('test-output', 'syntax-'));
    const file = path.join(tmp, 'syntax-error.scenario.ts');
    await copyFile(path.join(dir, 'syntax-error.scenario.ts.txt'), file);
    const error = await problems(file);
    expect(error.message).toContain(file);
    expect(error.issues[0]?.problem).toMatch(/cannot load the file/);
  });

  it('accepts and normalises a valid scenario', async () => {
    const [s] = await loadScenarioFile(path.resolve('test/fixtures/scenarios/pass.scenario.ts'));
    expect(s?.name).toBe('fixture-pass');
    expect(s?.slo.thresholds).toEqual([
      { metric: 'p50', thresholdMs: 20 },
      { metric: 'p99', thresholdMs: 50 },
    ]);
    // perCall defaults to 10x the largest percentile threshold, capped by the timeout.
    expect(s?.slo.perCallMs).toBe(500);
    expect(s?.budget.durationMs).toBe(2000);
    expect(s?.input.corpusDir).toBe(path.resolve('test/fixtures/corpora/fixture-pass'));
  });

  it('a duration without a unit (timeout: 100) is refused naming the file, the field and the fix', async () => {
    await mkdir(path.resolve('test-output'), { recursive: true });
    const tmp = await mkdtemp(path.resolve('test-output', 'bare-duration-'));
    const file = path.join(tmp, 'bare-timeout.scenario.ts');
    const source = "export default { name: 'bare-timeout', target: (s: string) => s.length, input: { type: 'string' }, slo: { p99: '5ms' }, timeout: 100 };\n";
    await writeFile(file, source);
    const error = await problems(file);
    expect(error.message).toContain(file);
    expect(error.issues).toEqual([
      { field: 'timeout', problem: '100 has no unit: write "100ms" or "100s"', fix: 'add the unit you mean: "100ms" for milliseconds, "100s" for seconds (units: ns, us, ms, s, m)' },
    ]);
  });
});

describe('every duration field needs a unit', () => {
  const FILE = '/project/scenarios/bare.scenario.ts';
  const fn = { name: 'f', target: () => 0, input: { type: 'bytes' }, slo: { p99: '5ms' } };
  const service = {
    name: 's',
    service: { command: ['{node}', 'server.mjs', '{port}'], ready: { path: '/healthz' }, request: () => ({ method: 'GET', path: '/' }), rate: 10 },
    input: { type: 'string' },
    slo: { p99: '5ms' },
  };
  const cases: Array<[string, Record<string, unknown>]> = [
    ['slo.p99', { ...fn, slo: { p99: 5 } }],
    ['slo.perCall', { ...fn, slo: { p99: '5ms', perCall: '50' } }],
    ['budget.duration', { ...fn, budget: { duration: 30 } }],
    ['dependencies.db.timeout', { ...fn, dependencies: { db: { timeout: 100 } } }],
    ['dependencies.db.latency.scale', { ...fn, dependencies: { db: { latency: { alpha: 1.2, scale: 2 } } } }],
    ['breakingPoint.stepDuration', { ...fn, chaos: { cpu: { duty: 0.1 } }, breakingPoint: { knob: 'cpu.duty', range: [0, 1], stepDuration: 2 } }],
    ['service.duration', { ...service, service: { ...service.service, duration: 5000 } }],
    ['service.ready.timeout', { ...service, service: { ...service.service, ready: { path: '/healthz', timeout: 10 } } }],
    ['timeout', { ...service, timeout: '2000' }],
  ];
  it.each(cases)('%s', (field, spec) => {
    let error: unknown;
    try {
      resolveScenarios(spec, { file: FILE });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const issue = (error as ScenarioError).issues.find((i) => i.field === field);
    expect(issue, JSON.stringify((error as ScenarioError).issues)).toBeDefined();
    expect(issue?.problem).toMatch(/has no unit: write "[\d.]+ms" or "[\d.]+s"$/);
    expect(issue?.fix).toMatch(/^add the unit you mean: "[\d.]+ms" for milliseconds/);
  });
});

describe('the scenario types say it too', () => {
  it('defineScenario refuses a bare number where a duration goes (the type checker flags it)', () => {
    const spec = defineScenario({
      name: 'typed',
      target: (s: string) => s.length,
      input: { type: 'string' },
      slo: { p99: '5ms' },
      // @ts-expect-error: a duration needs its unit ("100ms")
      timeout: 100,
    });
    expect(() => resolveScenarios(spec, { file: '/project/scenarios/typed.scenario.ts' })).toThrow('timeout: 100 has no unit');
  });
});

import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from './load.ts';
import { ScenarioError } from './schema.ts';

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
});

/**
 * Hostile configuration: values a scenario file or the command line must never run with
 * (zero or absurd durations, default exports that are not scenarios, syntax errors, modules
 * that never finish importing, an unreachable TOXIPROXY_URL) end in exit 2 with a message
 * naming the file, the field and the fix; the embedded Toxiproxy refuses non-loopback
 * listeners. Every case runs the real CLI in a throw-away project under test-output/.
 */
import { closedPort } from '../support/ports.ts';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedToxiproxy } from '../../harness/chaos/toxiproxy/index.ts';
import { resolveScenarios, ScenarioError } from '../../harness/scenario/schema.ts';
import { ChaosNetwork } from '../../harness/drivers/http/chaos-network.ts';
import { CLI, REPO } from '../support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-config');

interface Outcome {
  code: number | null;
  stderr: string;
}

/** A project with the given fixtures in scenarios/ (the .txt suffix that keeps them out of tsc dropped). */
async function project(fixtures: string[]): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'hostile-config-'));
  await mkdir(path.join(dir, 'scenarios'));
  for (const fixture of fixtures) await copyFile(path.join(FIXTURES, fixture), path.join(dir, 'scenarios', fixture.replace(/\.txt$/, '')));
  return dir;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete base['TOXIPROXY_URL'];
  delete base['SLO_HARNESS_LOAD_TIMEOUT_MS'];
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

/** Runs one fixture scenario file with extra CLI arguments. */
async function runFixture(fixture: string, args: string[] = [], env: Record<string, string> = {}): Promise<Outcome & { file: string }> {
  const dir = await project([fixture]);
  const file = `scenarios/${fixture.replace(/\.txt$/, '')}`;
  return { ...(await cli(['run', file, '--budget', '1s', '--quiet', '--trace', 'off', ...args], dir, env)), file };
}

/** Exit 2; stderr names the file, the field and says how to fix it. */
function expectConfigError(run: Outcome, file: string, field: RegExp | string, fix: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toContain(path.basename(file));
  if (typeof field === 'string') expect(run.stderr).toContain(field);
  else expect(run.stderr).toMatch(field);
  expect(run.stderr).toMatch(fix);
}

describe.concurrent('hostile configuration values are exit 2 naming the file, the field and the fix', () => {
  const durationCases: Array<[string, string, RegExp]> = [
    ['timeout-zero', 'timeout: "0ms" is shorter than 1us', /fix: use a duration such as "2s"/],
    ['budget-zero', 'budget.duration: "0s" is shorter than 1us', /fix: budget is \{ duration\?: "10s"/],
    ['budget-huge', 'budget.duration: "2000000m" is longer than 1 day', /fix: budget is \{ duration\?: "10s"/],
    ['p99-zero', 'slo.p99: "0us" is shorter than 1us', /fix: thresholds are durations such as "500us"/],
    ['p99-two-days', 'slo.p99: expected a duration like', /between 1us and 1 day[\s\S]*fix: thresholds are durations/],
    ['negative', 'timeout: a duration cannot be negative', /slo\.p99: a duration cannot be negative[\s\S]*fix: /],
    ['nan', 'dependencies.db.timeout: expected a duration between 1us and 1 day', /got NaN\n\s+fix: use a duration such as "100ms"/],
  ];
  for (const [name, field, fix] of durationCases) {
    it(`${name}: the duration is out of 1us..1 day`, async () => {
      const run = await runFixture(`${name}.scenario.ts.txt`);
      expectConfigError(run, run.file, field, fix);
    });
  }

  const exportCases: Array<[string, string]> = [
    ['empty-array', 'is an empty array'],
    ['number', 'is the number 42'],
    ['null', 'is null'],
  ];
  for (const [name, what] of exportCases) {
    it(`export default ${name}: not a scenario`, async () => {
      const run = await runFixture(`${name}.scenario.ts.txt`);
      expectConfigError(run, run.file, 'default export: the default export of ', /fix: export a scenario made with defineScenario\(\.\.\.\)/);
      expect(run.stderr).toContain(`${name}.scenario.ts ${what}`);
    });
  }

  it('a TypeScript syntax error gives file:line:col and a code frame', async () => {
    const run = await runFixture('syntax-error.scenario.ts.txt');
    expectConfigError(run, run.file, '(file): cannot load the file: syntax error at scenarios/syntax-error.scenario.ts:5:41', /fix: fix the syntax at scenarios\/syntax-error\.scenario\.ts:5:41/);
    expect(run.stderr).toMatch(/> 5 \|   target: \(text: string\) => text\.length,,\n\s+\| {41}\^/);
  });

  it('a JavaScript syntax error (V8 gives no position) is located too', async () => {
    const run = await runFixture('js-syntax.scenario.mjs.txt');
    expectConfigError(run, run.file, 'syntax error at scenarios/js-syntax.scenario.mjs:3:15', /fix: fix the syntax at/);
  });

  it('a never-settling top-level await is exit 2, not Node\'s silent 13', async () => {
    const run = await runFixture('never-settles.scenario.ts.txt');
    expectConfigError(run, run.file, '(module top level): the file never finished importing', /fix: await only promises that settle/);
  });

  it('a module that spins only in worker threads is caught by the load deadline (--load-timeout)', async () => {
    const run = await runFixture('spins-in-workers.scenario.ts.txt', ['--load-timeout', '2s']);
    expectConfigError(run, run.file, '(module top level): the file was still importing after 2.00s', /fix: remove the top-level loop or await[\s\S]*--load-timeout 60s/);
  });

  it('a plain top-level infinite loop is caught by the load deadline (SLO_HARNESS_LOAD_TIMEOUT_MS)', async () => {
    const run = await runFixture('spins.scenario.ts.txt', [], { SLO_HARNESS_LOAD_TIMEOUT_MS: '2000' });
    expectConfigError(run, run.file, 'the file was still importing after 2.00s', /fix: remove the top-level loop/);
  });

  it('a module that spins only on the main thread is ended by the pre-check worker, exit 2', async () => {
    // Long enough for the worker's own import on a loaded machine; the main thread then spins past it.
    const run = await runFixture('spins-on-main.scenario.ts.txt', [], { SLO_HARNESS_LOAD_TIMEOUT_MS: '10000' });
    expectConfigError(run, run.file, '(module top level): the file was still importing after 10.0s (on the main thread', /fix: remove the top-level loop or await/);
  });

  it('a module cannot fake the pre-check\'s "imported" message', async () => {
    const run = await runFixture('fakes-precheck.scenario.ts.txt', [], { SLO_HARNESS_LOAD_TIMEOUT_MS: '2000' });
    expectConfigError(run, run.file, 'the file was still importing after 2.00s (in a worker thread', /fix: remove the top-level loop/);
  });

  it('a top-level process.exit() is exit 2 naming it', async () => {
    const run = await runFixture('exits.scenario.ts.txt');
    expectConfigError(run, run.file, '(module top level): importing the file ended its thread', /fix: remove the process\.exit\(\) call/);
  });

  it('--budget without a unit, 0s and absurd budgets are refused', async () => {
    const bare = await runFixture('valid.scenario.ts.txt', ['--budget', '30']);
    expectConfigError(bare, '--budget', '--budget 30 has no unit', /write 30s or 30ms/);
    const zero = await runFixture('valid.scenario.ts.txt', ['--budget', '0s']);
    expectConfigError(zero, '--budget', '--budget: "0s" is shorter than 1us', /fix: give a duration from 1us to 1 day, e.g. --budget 30s/);
    const huge = await runFixture('valid.scenario.ts.txt', ['--budget', '1e300']);
    expectConfigError(huge, '--budget', '--budget: expected a duration like', /fix: give a duration from 1us to 1 day/);
  });

  it('--budget 100000s (over a day) is refused', async () => {
    const run = await runFixture('valid.scenario.ts.txt', ['--budget', '100000s']);
    expectConfigError(run, '--budget', '--budget: "100000s" is longer than 1 day', /fix: give a duration from 1us to 1 day/);
  });

  it('a bad load deadline (flag or environment) is refused', async () => {
    const flag = await runFixture('valid.scenario.ts.txt', ['--load-timeout', '0s']);
    expectConfigError(flag, '--load-timeout', '--load-timeout: "0s" is shorter than 1us', /fix: give a duration from 1us to 1 day, e.g. --load-timeout 10s/);
    const env = await runFixture('valid.scenario.ts.txt', [], { SLO_HARNESS_LOAD_TIMEOUT_MS: 'soon' });
    expectConfigError(env, 'SLO_HARNESS_LOAD_TIMEOUT_MS', 'SLO_HARNESS_LOAD_TIMEOUT_MS=soon: expected a duration', /fix: give milliseconds, e.g. SLO_HARNESS_LOAD_TIMEOUT_MS=30000/);
  });

  it('an unreachable TOXIPROXY_URL is exit 2 with the URL and the fix, before anything starts', async () => {
    const port = await closedPort();
    const dir = await project(['service.scenario.ts.txt']);
    await copyFile(path.join(REPO, 'test/fixtures/service/server.mjs'), path.join(dir, 'scenarios/server.mjs'));
    const url = `http://127.0.0.1:${port}`;
    const run = await cli(['run', 'scenarios/', '--budget', '1s', '--quiet', '--trace', 'off'], dir, { TOXIPROXY_URL: url });
    expectConfigError(run, 'service.scenario.ts', `TOXIPROXY_URL=${url}: no Toxiproxy server answers there (ECONNREFUSED)`, /fix: unset TOXIPROXY_URL to use the embedded Toxiproxy-API server, or start Toxiproxy/);
    expect(run.stderr).not.toMatch(/fetch failed/);
  });

  it('a toxic the chaos proxy would refuse (latency 1e300 ms) is exit 2 at load', async () => {
    const dir = await project(['toxic-huge.scenario.ts.txt']);
    const run = await cli(['run', 'scenarios/', '--budget', '1s', '--quiet'], dir);
    expectConfigError(run, 'toxic-huge.scenario.ts', 'dependencies.backend.toxics.0: the chaos proxy would refuse this toxic: bad request body: attribute latency must be at most 86400000 (1 day in ms)', /fix: toxics are Toxiproxy toxics/);
  });

  it('network.allowNonLoopbackListen must be a boolean', async () => {
    const dir = await project(['network-option.scenario.ts.txt']);
    const run = await cli(['run', 'scenarios/', '--budget', '1s', '--quiet'], dir);
    expectConfigError(run, 'network-option.scenario.ts', 'network.allowNonLoopbackListen', /fix: network is \{ allowNonLoopbackListen\?: boolean \}/);
  });
});

describe.concurrent('the embedded Toxiproxy API listens on loopback only', () => {
  const create = async (url: string, listen: string): Promise<{ status: number; body: { error?: string; status?: number; listen?: string } }> => {
    const response = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: `p-${listen}`, listen, upstream: '127.0.0.1:9' }) });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };

  it('refuses a 0.0.0.0 listener with a 403 naming the rule, and binds nothing', async () => {
    const server = await startEmbeddedToxiproxy({ seed: 1 });
    try {
      for (const listen of ['0.0.0.0:0', '[::]:0', 'example.com:0']) {
        const refused = await create(server.url, listen);
        expect(refused.status, listen).toBe(403);
        expect(refused.body).toEqual({ error: expect.stringContaining('is not loopback'), status: 403 });
        expect(refused.body.error).toContain('allowNonLoopbackListen');
      }
      const list = (await (await fetch(`${server.url}/proxies`)).json()) as Record<string, unknown>;
      expect(Object.keys(list)).toEqual([]);
      for (const listen of ['127.0.0.1:0', 'localhost:0', '127.0.0.2:0']) expect((await create(server.url, listen)).status, listen).toBe(201);
    } finally {
      await server.close();
    }
  });

  it('will not serve its API on a non-loopback address unless allowed', async () => {
    await expect(startEmbeddedToxiproxy({ host: '0.0.0.0' })).rejects.toThrow(/API host "0\.0\.0\.0" is not loopback.*allowNonLoopbackListen/);
  });

  it('allows a non-loopback listener when the scenario says so', async () => {
    const server = await startEmbeddedToxiproxy({ seed: 1, allowNonLoopbackListen: true });
    try {
      const allowed = await create(server.url, '0.0.0.0:0');
      expect(allowed.status).toBe(201);
      expect(allowed.body.listen).toMatch(/^0\.0\.0\.0:\d+$/);
    } finally {
      await server.close();
    }
  });
});

describe.concurrent('the chaos network fails clearly', () => {
  it('opening it on a dead TOXIPROXY_URL names the URL and the fix', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await expect(ChaosNetwork.open({ seed: 1, scenario: 'dead', externalUrl: url })).rejects.toThrow(
      new RegExp(`TOXIPROXY_URL=${url.replace(/[.:/]/g, '\\$&')}: no Toxiproxy server answers there \\(ECONNREFUSED\\)\\n  fix: unset TOXIPROXY_URL`),
    );
  });

  it('a refused proxy says which dependency, which server and what the server answered', async () => {
    const chaos = await ChaosNetwork.open({ seed: 1, scenario: 'refused', externalUrl: '' });
    try {
      await expect(chaos.addDependency('db', 'nohost', [])).rejects.toThrow(
        /chaos network: creating the proxy of dependency db \(upstream nohost\) failed on the embedded Toxiproxy-API server at http:\/\/127\.0\.0\.1:\d+: Request failed with status code 400/,
      );
    } finally {
      await chaos.close();
    }
  });
});

describe('breaking-point ranges stay within what the knob can mean', () => {
  const issuesOf = (spec: Record<string, unknown>): ScenarioError['issues'] => {
    try {
      resolveScenarios(spec, { file: '/project/scenarios/range.scenario.ts' });
    } catch (error) {
      if (error instanceof ScenarioError) return error.issues;
      throw error;
    }
    return [];
  };
  const functionSpec = (knob: string, hi: number): Record<string, unknown> => ({
    name: 'range',
    target: (s: string) => s.length,
    input: { type: 'string' },
    slo: { p99: '5ms' },
    dependencies: { db: { latency: { alpha: 1.5, scale: '1ms' } } },
    breakingPoint: { knob, range: [0.1, hi] },
  });
  const serviceSpec = (hi: number): Record<string, unknown> => ({
    name: 'range',
    service: { command: ['{node}', 's.mjs', '{port}'], ready: { path: '/' }, request: () => ({ method: 'GET', path: '/' }), rate: 10 },
    input: { type: 'string' },
    slo: { p99: '5ms' },
    breakingPoint: { knob: 'rate', range: [1, hi] },
  });

  it('refuses a dependency scale past a day, a factor past 1e6 and a rate past 1e6 req/s; accepts sane ones', () => {
    expect(issuesOf(functionSpec('dependency.db.scale', 1e300))).toEqual([expect.objectContaining({ field: 'breakingPoint.range', problem: expect.stringContaining('past 86400000 ms (1 day)'), fix: expect.stringContaining('upper end') })]);
    expect(issuesOf(functionSpec('factor', 1e9))).toEqual([expect.objectContaining({ field: 'breakingPoint.range', problem: expect.stringContaining('past 1000000 times') })]);
    expect(issuesOf(serviceSpec(1e300))).toEqual([expect.objectContaining({ field: 'breakingPoint.range', problem: expect.stringContaining('past 1000000 requests per second') })]);
    expect(issuesOf(functionSpec('dependency.db.scale', 50))).toEqual([]);
    expect(issuesOf(serviceSpec(2000))).toEqual([]);
  });
});


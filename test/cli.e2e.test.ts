import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsFile } from '../harness/report/results-schema.ts';
import { makeProject, processesIn, runCli, startCli } from './support/cli.ts';

async function results(dir: string, out = 'out'): Promise<ResultsFile> {
  return JSON.parse(await readFile(path.join(dir, out, 'results.json'), 'utf8')) as ResultsFile;
}

describe('slo-harness run (real CLI, real isolates)', () => {
  it('passes a cheap target: exit 0, PASS with a bounded interval', async () => {
    const dir = await makeProject(['pass.scenario.ts']);
    const run = await runCli(['run', 'scenarios/', '--out', 'out', '--seed', '7', '--budget', '2s'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/fixture-pass\s+p99 < 50\.0ms.*PASS/);
    const r = await results(dir);
    expect(r.schema).toBe('slo-harness/results');
    expect(r.run.seed).toBe(7);
    const s = r.scenarios[0];
    expect(s?.verdict).toBe('PASS');
    expect(s?.calls).toBeGreaterThan(1000);
    expect(s?.slos.find((x) => x.metric === 'p99')?.interval.upperRank).not.toBeNull();
  });

  it('fails a slow target with confidence: exit 1, FAIL', async () => {
    const dir = await makeProject(['slow.scenario.ts']);
    const run = await runCli(['run', 'scenarios/slow.scenario.ts', '--out', 'out', '--seed', '1'], dir);
    expect(run.code, run.stderr).toBe(1);
    const slo = (await results(dir)).scenarios[0]?.slos[0];
    expect(slo?.verdict).toBe('FAIL');
    expect(slo?.interval.lowerMs).toBeGreaterThan(1);
  });

  it('survives a hanging input, saves it, and replay reproduces it', async () => {
    const dir = await makeProject(['hang.scenario.ts']);
    const run = await runCli(['run', 'scenarios/', '--out', 'out', '--seed', '3'], dir);
    expect(run.code, run.stderr).toBe(1);
    const s = (await results(dir)).scenarios[0];
    expect(s?.status).toBe('complete');
    const hang = s?.findings.find((f) => f.kind === 'timeout');
    expect(hang, JSON.stringify(s?.findings)).toBeDefined();
    expect(hang?.latencyMs).toBeGreaterThanOrEqual(300);
    expect(hang?.input.preview.startsWith('HANG')).toBe(true);
    // The run continued after the hang: calls were measured besides the hanging ones.
    expect(s?.restarts).toBeGreaterThan(0);
    const violations = await readdir(path.join(dir, 'corpora/fixture-hang/violations'));
    expect(violations).toContain(`${hang?.id}.input`);
    expect(violations).toContain(`${hang?.id}.json`);
    expect(violations.filter((v) => v.endsWith('.tmp'))).toEqual([]);

    const replayArgs = (hang?.replay ?? '').replace(/^npx slo-harness /, '').split(' ');
    const replay = await runCli(replayArgs, dir);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/reproduced: timeout/);
  });

  it('records exit, throw and out-of-memory as findings with their inputs', async () => {
    const dir = await makeProject(['crash.scenario.ts']);
    const run = await runCli(['run', 'scenarios/', '--out', 'out', '--seed', '3'], dir);
    expect(run.code, run.stderr).toBe(1);
    const s = (await results(dir)).scenarios[0];
    const byKind = new Map(s?.findings.map((f) => [f.kind, f.input.preview]));
    expect(byKind.get('exit')).toBe('EXIT');
    expect(byKind.get('error')).toBe('THROW');
    expect(byKind.get('oom')).toBe('OOM');
    expect(s?.calls).toBeGreaterThan(100);
  });

  it('rejects a malformed scenario with exit 2 and a message naming file, field and fix', async () => {
    const file = path.resolve('test/fixtures/malformed/bad-duration.scenario.ts');
    const run = await runCli(['run', file], path.resolve('.'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/slo\.p99: expected a duration/);
    expect(run.stderr).toMatch(/fix: /);
  });

  it('answers usage errors with exit 2', async () => {
    expect((await runCli(['run'], path.resolve('.'))).code).toBe(2);
    expect((await runCli(['run', 'no/such/folder'], path.resolve('.'))).code).toBe(2);
    expect((await runCli(['run', 'scenarios/', '--seed', 'abc'], path.resolve('.'))).code).toBe(2);
    expect((await runCli(['frobnicate'], path.resolve('.'))).code).toBe(2);
    const help = await runCli(['--help'], path.resolve('.'));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage:/);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`on ${signal} writes partial results and leaves no child process`, async () => {
      const dir = await makeProject(['long.scenario.ts.txt']);
      const cli = startCli(['run', 'scenarios/', '--out', 'out', '--seed', '9'], dir);
      await cli.waitFor('> fixture-long');
      // Let the isolate start and measure for a moment.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await processesIn(dir)).length).toBeGreaterThan(1);
      cli.kill(signal);
      const run = await cli.done;
      expect(run.code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(existsSync(path.join(dir, 'out/results.json'))).toBe(true);
      const r = await results(dir);
      expect(r.run.status).toBe('interrupted');
      expect(r.scenarios[0]?.status).toBe('interrupted');
      expect(r.scenarios[0]?.calls).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await processesIn(dir)).toEqual([]);
    });
  }
});

import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsFile } from '../harness/core/results-schema.ts';
import { makeProject, processesIn, runCli, startCli } from './support/cli.ts';

async function results(dir: string, out = 'out'): Promise<ResultsFile> {
  return JSON.parse(await readFile(path.join(dir, out, 'results.json'), 'utf8')) as ResultsFile;
}

describe('slo-harness run (real CLI, real isolates)', () => {
  it('passes a cheap target: exit 0, PASS with a bounded interval', async () => {
    const dir = await makeProject(['pass.scenario.ts']);
    const run = await runCli(['run', 'scenarios/', '--out', 'out', '--seed', '7', '--budget', '2s'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/fixture-pass\s+p99 < 50\.0 ms\s+PASS/);
    expect(run.stdout).toMatch(/^report: out\/index\.html$/m);
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

describe('slo-harness report and --baseline (real CLI)', () => {
  let dir = '';

  it('run --baseline compares with the previous run: per-SLO change with interval overlap, new and fixed findings', async () => {
    dir = await makeProject(['pass.scenario.ts']);
    const first = await runCli(['run', 'scenarios/', '--out', 'night1', '--seed', '1', '--budget', '1s', '--quiet'], dir);
    expect(first.code, first.stderr).toBe(0);
    // Yesterday's file had a finding that today's run no longer has: it shows as fixed.
    const yesterday = await results(dir, 'night1');
    yesterday.scenarios[0]!.findings.push({
      id: 'f00dfeed', kind: 'slow', latencyMs: 80, budgetMs: 50, message: null, stack: null,
      input: { encoding: 'bytes', size: 1, preview: 'x', hexPreview: '78', file: 'corpora/fixture-pass/violations/f00dfeed.input' },
      metaFile: 'corpora/fixture-pass/violations/f00dfeed.json', replay: 'npx slo-harness replay corpora/fixture-pass/violations/f00dfeed.json',
      firstSeenAt: yesterday.run.startedAt, occurrences: 1,
    });
    await writeFile(path.join(dir, 'night1/results.json'), JSON.stringify(yesterday));
    const second = await runCli(['run', 'scenarios/', '--out', 'night2', '--seed', '2', '--budget', '1s', '--quiet', '--baseline', 'night1/results.json'], dir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/Baseline: run /);
    expect(second.stdout).toMatch(/fixture-pass\s+p99 .*(unchanged \(intervals overlap\)|regressed|improved)/);
    const today = await results(dir, 'night2');
    expect(today.baseline?.baselineRunId).toBe(yesterday.run.id);
    expect(today.baseline?.baselineFile).toBe('night1/results.json');
    expect(today.baseline?.slos.map((c) => `${c.scenario} ${c.metric}`).sort()).toEqual(['fixture-pass p50', 'fixture-pass p99']);
    for (const c of today.baseline!.slos) expect(typeof c.intervalsOverlap).toBe('boolean');
    expect(today.baseline?.fixedFindings.map((f) => f.id)).toEqual(['f00dfeed']);
    expect(today.baseline?.newFindings).toEqual([]);
    expect(await readFile(path.join(dir, 'night2/index.html'), 'utf8')).toContain('id="baseline"');
  });

  it('run --baseline with a missing or invalid file stops before running: exit 2 naming the file, the field and the fix', async () => {
    const missing = await runCli(['run', 'scenarios/', '--out', 'night3', '--baseline', 'nope/results.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/results file nope\/results\.json: not found/);
    expect(missing.stderr).toMatch(/fix: /);
    expect(existsSync(path.join(dir, 'night3'))).toBe(false);
    await writeFile(path.join(dir, 'broken.json'), JSON.stringify({ ...(await results(dir, 'night1')), run: { id: 7 } }));
    const invalid = await runCli(['run', 'scenarios/', '--out', 'night3', '--baseline', 'broken.json'], dir);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/results file broken\.json: field run\.id: /);
  });

  it('report re-renders index.html and junit.xml from results.json alone and prints the path', async () => {
    const json = path.join(dir, 'night2/results.json');
    const before = await readFile(json, 'utf8');
    const html = path.join(dir, 'night2/index.html');
    const oldTime = (await stat(html)).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const run = await runCli(['report', 'night2/results.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^report: night2\/index\.html$/m);
    expect((await stat(html)).mtimeMs).toBeGreaterThan(oldTime);
    expect(await readFile(json, 'utf8')).toBe(before);
    const elsewhere = await runCli(['report', 'night2/results.json', '--out', 'copy', '--baseline', 'night1/results.json'], dir);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect((await readdir(path.join(dir, 'copy'))).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
    expect((await results(dir, 'copy')).baseline?.baselineFile).toBe('night1/results.json');
  });

  it('report rejects a file that is not a results.json with exit 2 naming the file and the problem', async () => {
    await writeFile(path.join(dir, 'not-json.json'), '{ nope');
    const notJson = await runCli(['report', 'not-json.json'], dir);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/results file not-json\.json: not valid JSON/);
    await writeFile(path.join(dir, 'other.json'), JSON.stringify({ schema: 'something-else' }));
    const other = await runCli(['report', 'other.json'], dir);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/results file other\.json: field schema: expected "slo-harness\/results"/);
    expect((await runCli(['report'], dir)).code).toBe(2);
    expect((await runCli(['report', 'a.json', 'b.json'], dir)).code).toBe(2);
  });
});

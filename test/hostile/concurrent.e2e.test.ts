/**
 * Runs that share one corpus: two and four `slo-harness run` of the same scenario at once
 * on one project (a developer and the nightly job, CI shards). Every finding any run
 * reported must exist on disk with its input, every record must be valid, and no temporary
 * file or lock may be left. The corpus lock (corpora/<scenario>/.lock) is taken over from
 * a dead owner and waited for while its owner lives.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readViolation } from '../../harness/engine/corpus.ts';
import type { ResultsFile } from '../../harness/core/results-schema.ts';
import { CLI, REPO, runCli, startCli, type CliRun } from '../support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-data');
const projects: string[] = [];

afterAll(async () => {
  await Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A project with one fixture scenario and its seeds in corpora/<name>/. */
async function project(fixture: string, scenario: string, seeds: Record<string, string>): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'hostile-concurrent-'));
  projects.push(dir);
  await mkdir(path.join(dir, 'scenarios'));
  await copyFile(path.join(FIXTURES, fixture), path.join(dir, 'scenarios', fixture.replace(/\.txt$/, '')));
  const corpus = path.join(dir, 'corpora', scenario);
  await mkdir(corpus, { recursive: true });
  for (const [name, text] of Object.entries(seeds)) await writeFile(path.join(corpus, name), text);
  return dir;
}

/**
 * Seeds of the shared fixture, replayed in name order: the real finding first (a busy machine
 * may leave a 1 s fuzz phase time for a call or two), then a flaky one (demoted afterwards).
 */
const SHARED_SEEDS = { 'a-slow': 'xxSLOWxx', 'b-flaky-1': 'flaky-1', 'c-plain': 'plain' };
const RUN = ['--budget', '1s', '--trace', 'off', '--quiet'];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(file)));
    else out.push(file);
  }
  return out;
}

/**
 * What concurrent runs must leave: each run ended normally; each finding it reported has its
 * record and input on disk; every record is valid; no temporary file, lock or takeover marker.
 */
async function expectConsistentCorpus(dir: string, scenario: string, runs: Array<{ run: CliRun; out: string }>): Promise<void> {
  let reported = 0;
  const summaries: string[] = [];
  for (const { run, out } of runs) {
    // 1 with findings; which findings a run confirms on a machine this busy is timing's business.
    expect([0, 1], run.stderr).toContain(run.code);
    expect(run.stderr).not.toMatch(/internal error|corpus lock/);
    const results = JSON.parse(await readFile(path.join(dir, out, 'results.json'), 'utf8')) as ResultsFile;
    summaries.push(`${out}: exit ${run.code}, ${JSON.stringify(results.scenarios.map((s) => [s.calls, s.minimisation]))}\n${run.stderr}`);
    for (const finding of results.scenarios.flatMap((s) => s.findings)) {
      reported++;
      const { record, input } = await readViolation(path.join(dir, finding.metaFile));
      expect(record.id).toBe(finding.id);
      expect(input.length).toBe(finding.input.size);
      expect((await stat(path.join(dir, finding.input.file))).isFile()).toBe(true);
    }
  }
  // Not vacuous: the runs together reported findings (the real one is confirmed by any run that reaches it).
  expect(reported, summaries.join('\n')).toBeGreaterThan(0);
  const corpus = path.join(dir, 'corpora', scenario);
  const files = await filesUnder(corpus);
  expect(files.filter((f) => /\.tmp$|\.lock$|\.takeover$/.test(f))).toEqual([]);
  for (const meta of files.filter((f) => f.endsWith('.json') && path.basename(path.dirname(f)) === 'violations')) {
    await expect(readViolation(meta), meta).resolves.toBeTruthy();
  }
}

async function concurrentRuns(n: number): Promise<void> {
  const dir = await project('shared.scenario.ts.txt', 'fixture-shared', SHARED_SEEDS);
  const runs = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const out = `out-${i}`;
      return { run: await runCli(['run', 'scenarios/', '--seed', String(i + 1), '--out', out, ...RUN], dir), out };
    }),
  );
  await expectConsistentCorpus(dir, 'fixture-shared', runs);
}

/** The CLI with extra environment variables (startCli passes the test's own). */
function runWithEnv(args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 })));
}

/** A pid that ran on this host and has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? -1;
}

const lockText = (pid: number): string => JSON.stringify({ pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'another-run' });

async function violationRecords(dir: string): Promise<string[]> {
  return (await readdir(path.join(dir, 'corpora/fixture-throw/violations')).catch(() => [])).filter((n) => n.endsWith('.json'));
}

describe.concurrent('runs sharing one corpus', () => {
  it('two concurrent runs of one scenario keep every finding either reported', async () => {
    await concurrentRuns(2);
  });

  it('four concurrent runs of one scenario keep every finding any reported', async () => {
    await concurrentRuns(4);
  });

  it('a finding one run confirms survives the demotion of the same input by a run that could not confirm it', async () => {
    const dir = await project('shared.scenario.ts.txt', 'fixture-shared', { 'b-flaky-1': 'flaky-1', 'c-plain': 'plain' });
    const [confirming, demoting] = await Promise.all([
      runWithEnv(['run', 'scenarios/', '--seed', '1', '--out', 'out-confirms', ...RUN], dir, { SLO_TEST_FLAKY_CONFIRMS: '1' }),
      runWithEnv(['run', 'scenarios/', '--seed', '2', '--out', 'out-demotes', ...RUN], dir, {}),
    ]);
    await expectConsistentCorpus(dir, 'fixture-shared', [{ run: confirming, out: 'out-confirms' }, { run: demoting, out: 'out-demotes' }]);
    const results = JSON.parse(await readFile(path.join(dir, 'out-confirms/results.json'), 'utf8')) as ResultsFile;
    expect(results.scenarios[0]?.findings.map((f) => f.input.preview)).toContainEqual(expect.stringMatching(/^flaky/));
  });

  it('a lock left by a dead run is taken over', async () => {
    const dir = await project('throw.scenario.ts.txt', 'fixture-throw', { seed: 'THROW' });
    await writeFile(path.join(dir, 'corpora/fixture-throw/.lock'), lockText(await deadPid()));
    const run = await runCli(['run', 'scenarios/', '--seed', '1', '--out', 'out', ...RUN], dir);
    await expectConsistentCorpus(dir, 'fixture-throw', [{ run, out: 'out' }]);
    expect(run.code, run.stderr).toBe(1);
    expect(await violationRecords(dir)).toHaveLength(1);
  });

  it('a lock left empty by a writer that died before naming itself is taken over', async () => {
    const dir = await project('throw.scenario.ts.txt', 'fixture-throw', { seed: 'THROW' });
    const lock = path.join(dir, 'corpora/fixture-throw/.lock');
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const run = await runCli(['run', 'scenarios/', '--seed', '1', '--out', 'out', ...RUN], dir);
    await expectConsistentCorpus(dir, 'fixture-throw', [{ run, out: 'out' }]);
  });

  it('a lock held by a live process makes the writer wait, then proceed once it is gone', async () => {
    const dir = await project('throw.scenario.ts.txt', 'fixture-throw', { seed: 'THROW' });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => holder.on('spawn', resolve));
    const holderExit = new Promise((resolve) => holder.on('exit', resolve));
    await writeFile(path.join(dir, 'corpora/fixture-throw/.lock'), lockText(holder.pid ?? -1));
    const cli = startCli(['run', 'scenarios/', '--seed', '1', '--out', 'out', '--budget', '1s', '--trace', 'off'], dir);
    try {
      await cli.waitFor(/finding: error/);
      await new Promise((r) => setTimeout(r, 1000));
      // The finding is reported, but its record waits for the lock.
      expect(await violationRecords(dir)).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
      await holderExit;
    }
    const run = await cli.done;
    await expectConsistentCorpus(dir, 'fixture-throw', [{ run, out: 'out' }]);
    expect(run.code, run.stderr).toBe(1);
    expect(await violationRecords(dir)).toHaveLength(1);
  });
});

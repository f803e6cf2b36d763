/**
 * Hostile targets against the measured call path and the verdict: a target that stalls for
 * much of the phase, thrown and returned values whose every read throws, a target that
 * replaces performance.now, and fixed-rate calls (slo.rate) with coordinated-omission
 * correction. Each group is one real CLI run over a fixture file; groups run concurrently.
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsFile, ScenarioResult } from '../../harness/core/results-schema.ts';
import { REPO, runCli, type CliRun } from '../support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-stalls');
const CASE_TIMEOUT_MS = 150_000;

interface ProjectRun {
  run: CliRun;
  results: ResultsFile | null;
}

/** Copies one fixture file into a fresh project under test-output/ and runs it once with the real CLI. */
async function runFixture(file: string, budget: string): Promise<ProjectRun> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'hostile-stalls-'));
  await mkdir(path.join(dir, 'scenarios'));
  await cp(path.join(FIXTURES, file), path.join(dir, 'scenarios', file));
  const run = await runCli(['run', `scenarios/${file}`, '--out', 'out', '--seed', '5', '--budget', budget, '--quiet', '--trace', 'off'], dir);
  const results = await readFile(path.join(dir, 'out', 'results.json'), 'utf8').then((t) => JSON.parse(t) as ResultsFile, () => null);
  return { run, results };
}

/** One CLI run per fixture, shared by the cases that read it. */
function shared(file: string, budget: string): () => Promise<ProjectRun> {
  let pending: Promise<ProjectRun> | null = null;
  return () => (pending ??= runFixture(file, budget));
}

function scenario(r: ProjectRun, name: string): ScenarioResult {
  const s = r.results?.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no results for ${name}; exit ${r.run.code}; stderr: ${r.run.stderr.slice(-2000)}`);
  return s;
}

const stallRun = shared('stall.scenario.ts', '2s');
const throwsRun = shared('throws.scenario.ts', '500ms');
const returnsRun = shared('returns.scenario.ts', '500ms');
const clockRun = shared('clock.scenario.ts', '1s');
const pacedRun = shared('paced.scenario.ts', '1500ms');
const badRateRun = shared('bad-rate.scenario.ts', '1s');

describe.concurrent('hostile stalls, values and clocks (real CLI)', () => {
  it('a target that answers fast and then hangs for much of the phase never gets a PASS', async () => {
    const r = await stallRun();
    const s = scenario(r, 'stall-fast-then-hang');
    expect(s.status).toBe('complete');
    expect(r.run.code).toBe(1);
    const p99 = s.slos.find((x) => x.metric === 'p99');
    expect(p99?.verdict, p99?.explanation).not.toBe('PASS');
    expect(['FAIL', 'INCONCLUSIVE']).toContain(p99?.verdict);
    expect(p99?.explanation).toMatch(/\d+% of the phase was spent in calls that hung \(timeout 1 s\): not PASS/);
    expect(s.stall?.share).toBeGreaterThan(0.01); // the rule's limit: over it, no PASS
    expect(r.run.stdout).toMatch(/stall-fast-then-hang: stalled: \d+(\.\d)?% of the measured phase/);
  }, CASE_TIMEOUT_MS);

  it('hostile thrown and returned values end in findings, never an aborted scenario', async () => {
    for (const [r, count] of [[await throwsRun(), 4], [await returnsRun(), 3]] as const) {
      expect(r.run.code, r.run.stderr.slice(-2000)).toBe(1);
      expect(r.results?.scenarios).toHaveLength(count);
      for (const s of r.results?.scenarios ?? []) {
        expect(s.status, `${s.name}: ${s.statusReason}`).toBe('complete');
        expect(s.calls, s.name).toBeGreaterThan(0);
      }
      expect(r.run.stderr).not.toMatch(/fatal|internal error|the isolate failed/i);
    }
  }, CASE_TIMEOUT_MS);

  const hostile: Array<[string, RegExp, () => Promise<ProjectRun>]> = [
    ['throws-tostring-throws', /^non-Error thrown \(object; its toString threw or is missing\)/, throwsRun],
    ['throws-null-prototype', /^non-Error thrown \(object; its toString threw or is missing\)/, throwsRun],
    ['throws-proxy-every-trap', /^non-Error thrown \(object; its toString threw or is missing\)/, throwsRun],
    ['throws-symbol', /^non-Error thrown: Symbol\(thrown symbol\)/, throwsRun],
    ['throws-error-hostile-getters', /^Error: \(its message could not be read\)/, returnsRun],
    ['returns-then-getter-throws', /^Error: then getter/, returnsRun],
    ['expected-error-predicate-throws', /^non-Error thrown \(object; its toString threw or is missing\)/, returnsRun],
  ];
  for (const [name, message, run] of hostile) {
    it(`${name}: recorded as an unexpected throw with a safe description`, async () => {
      const s = scenario(await run(), name);
      expect(s.status, s.statusReason ?? '').toBe('complete');
      const errors = s.findings.filter((f) => f.kind === 'error');
      expect(errors, JSON.stringify(s.findings.map((f) => [f.kind, f.message]))).toHaveLength(1);
      expect(errors[0]?.message).toMatch(message);
    }, CASE_TIMEOUT_MS);
  }

  it('a target that freezes performance.now at 0 gets no false timeout', async () => {
    const s = scenario(await clockRun(), 'clock-frozen');
    expect(s.status).toBe('complete');
    expect(s.findings.filter((f) => f.kind === 'timeout')).toEqual([]);
    expect(s.restarts).toBe(0);
    expect(s.verdict).toBe('PASS');
  }, CASE_TIMEOUT_MS);

  it('a target that runs performance.now backwards is still timed by the real clock', async () => {
    const s = scenario(await clockRun(), 'clock-backwards-slow-calls');
    expect(s.status).toBe('complete');
    expect(s.findings.filter((f) => f.kind === 'timeout')).toEqual([]);
    // Each call busy-waits 3 ms by Date.now: the measured median is that, not the clamped 1 µs.
    expect(s.latency.p50Ms).toBeGreaterThan(3 * 0.6);
    expect(s.slos[0]?.verdict).toBe('FAIL');
  }, CASE_TIMEOUT_MS);

  it('slo.rate: a target slower than the interval is charged for the calls queued behind it', async () => {
    const s = scenario(await pacedRun(), 'paced-too-slow');
    expect(s.status).toBe('complete');
    // Every call takes 2 ms at 1,000 calls/s: the lag grows with each call, so the
    // corrected p99 is many times one call's own time.
    expect(s.latency.p99Ms).toBeGreaterThan(2 * 10);
    expect(s.slos[0]?.verdict).toBe('FAIL');
  }, CASE_TIMEOUT_MS);

  it('slo.rate: the raw figures are reported beside the corrected ones, corrected p99 above raw p99', async () => {
    const r = await pacedRun();
    const s = scenario(r, 'paced-too-slow');
    expect(s.paced?.rate).toBe(1000);
    expect(s.paced?.corrected.p99Ms).toBe(s.latency.p99Ms);
    const raw = s.paced?.raw;
    expect(raw, JSON.stringify(s.paced)).toBeTruthy();
    expect(raw?.p99Ms).toBeLessThan(s.latency.p99Ms / 2);
    expect(r.run.stdout).toMatch(/paced-too-slow: paced at 1,000 calls\/s: p99 .* corrected/);
  }, CASE_TIMEOUT_MS);

  it('slo.rate: a fast target is called at the rate, not back to back', async () => {
    const s = scenario(await pacedRun(), 'paced-fast');
    expect(s.status).toBe('complete');
    // 400 calls/s over a 1.5 s measured phase: at most 601 calls can be due; back to back
    // the same target makes tens of thousands.
    expect(s.calls).toBeLessThanOrEqual(601);
    expect(s.calls).toBeGreaterThan(600 * 0.5);
  }, CASE_TIMEOUT_MS);

  it('an invalid slo.rate is exit 2 naming the field and the fix', async () => {
    const { run } = await badRateRun();
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('bad-rate.scenario.ts');
    for (const index of [0, 1, 2]) expect(run.stderr).toContain(`[${index}].slo.rate:`);
    expect(run.stderr).toMatch(/rate must be > 0 and <= 1000000 calls per second/);
    expect(run.stderr).toMatch(/expected a number of calls per second/);
    expect(run.stderr).toMatch(/fix: use a number of calls per second above 0 and at most 1000000/);
  }, CASE_TIMEOUT_MS);
});

/**
 * `slo-harness run --regression` end to end with the real CLI: a saved violation of a
 * memoising fixture target is still failing while the target's slow path is switched on
 * (a flag file next to the scenario) and fixed once it is switched off. The corpus lives
 * in a throw-away project folder.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusStore } from '../harness/engine/corpus.ts';
import type { ResultsFile } from '../harness/core/results-schema.ts';
import { REPO, runCli } from './support/cli.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/regression/switch.scenario.ts');

async function results(dir: string, out: string): Promise<ResultsFile> {
  return JSON.parse(await readFile(path.join(dir, out, 'results.json'), 'utf8')) as ResultsFile;
}

describe('slo-harness run --regression (real CLI, probe isolate)', () => {
  let dir: string;
  let metaFile: string;
  let cheapMeta: string;

  beforeAll(async () => {
    await mkdir(path.join(REPO, 'test-output'), { recursive: true });
    dir = await mkdtemp(path.join(REPO, 'test-output', 'regression-'));
    await mkdir(path.join(dir, 'scenarios'));
    await cp(FIXTURE, path.join(dir, 'scenarios/switch.scenario.ts'));
    await writeFile(path.join(dir, 'scenarios/slow.flag'), 'the slow path is on\n');
    const store = new CorpusStore(path.join(dir, 'corpora/fixture-switch'));
    const record = {
      scenario: 'fixture-switch',
      scenarioFile: '../../../scenarios/switch.scenario.ts',
      scenarioIndex: 0,
      kind: 'slow' as const,
      latencyMs: 120,
      budgetMs: 20,
      timeoutMs: 5000,
      seed: 1,
      engine: 'builtin',
      encoding: 'utf8' as const,
      message: null,
      stack: null,
      foundAt: '2026-01-01T00:00:00.000Z',
      replay: '',
    };
    metaFile = (await store.saveViolation(new Uint8Array(Buffer.from('xxSLOWxx')), record)).metaFile;
    cheapMeta = (await store.saveViolation(new Uint8Array(Buffer.from('was slow once')), record)).metaFile;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 1 and lists the violation as still-failing while the target is slow; replay reproduces it', async () => {
    const run = await runCli(['run', 'scenarios/', '--regression', '--out', 'out-slow', '--seed', '1'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/regression still-failing\s+slow .*violations\/[0-9a-f]+\.json/);
    const s = (await results(dir, 'out-slow')).scenarios[0];
    expect(s?.regression).toMatchObject({ replayed: 2, stillFailing: 1, fixed: 1, errors: 0 });
    const failing = s?.regression?.entries.find((e) => e.status === 'still-failing');
    expect(failing?.metaFile).toBe(path.relative(dir, metaFile));
    expect(failing?.latenciesMs).toHaveLength(3);
    expect(s?.regression?.entries.find((e) => e.status === 'fixed')?.metaFile).toBe(path.relative(dir, cheapMeta));
    expect(s?.verdict).toBe('FAIL');
    expect(s?.findings.map((f) => f.input.preview)).toEqual(['xxSLOWxx']);

    const replay = await runCli(['replay', path.relative(dir, metaFile)], dir);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/reproduced: median first-call latency exceeds the budget/);
  });

  it('exits 0 and lists every violation as fixed once the slow path is gone', async () => {
    await rm(path.join(dir, 'scenarios/slow.flag'));
    const run = await runCli(['run', 'scenarios/', '--regression', '--out', 'out-fixed', '--seed', '1'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/2 replayed: 0 still failing, 2 fixed/);
    const s = (await results(dir, 'out-fixed')).scenarios[0];
    expect(s?.regression).toMatchObject({ replayed: 2, stillFailing: 0, fixed: 2 });
    expect(s?.verdict).toBe('PASS');
    expect(s?.findings).toEqual([]);
    const replay = await runCli(['replay', path.relative(dir, metaFile)], dir);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/not reproduced/);
  });
});

describe('slo-harness run: slow findings are confirmed, minimised, growth-fitted and replayable', () => {
  let dir: string;
  beforeAll(async () => {
    await mkdir(path.join(REPO, 'test-output'), { recursive: true });
    dir = await mkdtemp(path.join(REPO, 'test-output', 'minimise-'));
    await mkdir(path.join(dir, 'scenarios'));
    await cp(path.join(REPO, 'test/fixtures/regression/nest.scenario.ts'), path.join(dir, 'scenarios/nest.scenario.ts'));
    await mkdir(path.join(dir, 'corpora/fixture-nest'), { recursive: true });
    await writeFile(path.join(dir, 'corpora/fixture-nest/seed.txt'), `config = ${'['.repeat(60)} value ${']'.repeat(60)} # end of the line`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves a smaller violation next to the original, with growth, and replay reproduces it', async () => {
    const run = await runCli(['run', 'scenarios/', '--out', 'out', '--seed', '5', '--quiet'], dir);
    expect(run.code, run.stderr).toBe(1);
    const s = (await results(dir, 'out')).scenarios[0];
    expect(s?.minimisation?.confirmed, JSON.stringify(s?.minimisation)).toBeGreaterThan(0);
    // Which findings the fuzz phase turns up depends on timing; the best-shrunk one is checked.
    const minimised = s?.findings
      .filter((f) => f.shrunkFrom !== undefined)
      .sort((a, b) => a.input.size / a.shrunkFrom! - b.input.size / b.shrunkFrom!)[0];
    expect(minimised, JSON.stringify(s?.findings.map((f) => [f.kind, f.input.size, f.shrunkFrom]))).toBeDefined();
    expect(minimised!.input.size).toBeLessThan(minimised!.shrunkFrom!);
    expect(minimised!.firstCallLatenciesMs?.length).toBe(3);
    expect(minimised!.growth?.class).toMatch(/polynomial|linear/);
    const violations = new CorpusStore(path.join(dir, 'corpora/fixture-nest'));
    const files = (await violations.listViolations()).map((f) => path.basename(f, '.json'));
    expect(files).toContain(minimised!.id);
    expect(files).toContain(minimised!.originalId);

    const replay = await runCli(minimised!.replay.replace(/^npx slo-harness /, '').split(' '), dir);
    expect(replay.code, replay.stdout + replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/reproduced/);
  });
});

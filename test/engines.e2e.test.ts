/**
 * The engines end to end: `slo-harness run --engine builtin|jazzer` on a string and a
 * fast-check fixture, through the real CLI. Asserts which engine ran, that exploration and
 * measurement were kept apart, that a hanging seed under Jazzer.js is a finding and not the
 * end of the run, that kept inputs reach corpora/<scenario>/interesting (bounded), and the
 * fallback when Jazzer.js cannot load. No absolute times are asserted.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultsFile, ScenarioResult } from '../harness/core/results-schema.ts';
import { CLI, REPO } from './support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/engines');

async function project(opts: { withHangSeed: boolean }): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'engines-'));
  await cp(path.join(FIXTURES, 'scenarios'), path.join(dir, 'scenarios'), { recursive: true });
  await cp(path.join(FIXTURES, 'corpora'), path.join(dir, 'corpora'), { recursive: true });
  if (!opts.withHangSeed) await rm(path.join(dir, 'corpora/fixture-engine-text/hang.txt'));
  return dir;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function results(dir: string): Promise<{ file: ResultsFile; byName: (name: string) => ScenarioResult }> {
  const file = JSON.parse(await readFile(path.join(dir, 'out/results.json'), 'utf8')) as ResultsFile;
  return {
    file,
    byName: (name) => {
      const s = file.scenarios.find((x) => x.name === name);
      if (!s) throw new Error(`no result for ${name}`);
      return s;
    },
  };
}

async function interestingFiles(dir: string, scenario: string): Promise<string[]> {
  return readdir(path.join(dir, 'corpora', scenario, 'interesting')).catch(() => []);
}

describe('slo-harness run --engine (real CLI)', () => {
  it('builtin: explores with coverage, measures apart, saves kept inputs', async () => {
    const dir = await project({ withHangSeed: false });
    // 8 s: on a loaded 2-core machine a shorter budget has left the exploration share too
    // short to keep an input.
    const cli = await run(['run', 'scenarios/', '--engine', 'builtin', '--budget', '8s', '--seed', '11', '--out', 'out', '--quiet', '--trace', 'off'], dir);
    expect(cli.code, cli.stderr).not.toBe(2);
    const { file, byName } = await results(dir);
    for (const name of ['fixture-engine-text', 'fixture-engine-structured']) {
      const s = byName(name);
      expect(s.status, s.statusReason ?? '').toBe('complete');
      expect(s.engine).toEqual({ requested: 'builtin', used: 'builtin', note: null });
      expect(s.exploration?.engine).toMatch(/^builtin/);
      expect(s.exploration?.calls, `${name} exploration`).toBeGreaterThan(0);
      // The SLO histogram holds only measured calls.
      expect(s.calls, `${name} measured calls`).toBeGreaterThan(0);
      const saved = await interestingFiles(dir, name);
      expect(saved.length).toBeGreaterThanOrEqual(s.exploration?.interestingSaved ?? 0);
      expect(saved.length).toBeLessThanOrEqual(200);
    }
    expect(byName('fixture-engine-text').exploration?.interestingSaved, JSON.stringify(byName('fixture-engine-text').exploration)).toBeGreaterThan(0);
    expect(file.environment.fallbacks.filter((f) => f.component === 'engine')).toEqual([]);
  });

  it('jazzer: Jazzer.js explores (strings and fast-check values), survives a hanging seed', async () => {
    const dir = await project({ withHangSeed: true });
    const cli = await run(['run', 'scenarios/', '--engine', 'jazzer', '--budget', '10s', '--seed', '5', '--out', 'out', '--quiet', '--trace', 'off'], dir);
    expect(cli.code, cli.stderr).toBe(1); // the hang is a finding
    const { byName } = await results(dir);
    const text = byName('fixture-engine-text');
    expect(text.status, text.statusReason ?? '').toBe('complete');
    expect(text.engine).toMatchObject({ requested: 'jazzer', used: 'jazzer' });
    expect(text.exploration?.engine).toBe('jazzer');
    const hang = text.findings.find((f) => f.kind === 'timeout');
    expect(hang?.input.preview).toBe('HANG');
    // The measured phase ran after the hang, and skipped the known hanging input.
    expect(text.calls).toBeGreaterThan(0);

    const structured = byName('fixture-engine-structured');
    expect(structured.engine.used).toBe('jazzer');
    expect(structured.exploration?.calls).toBeGreaterThan(0);
    expect(structured.calls).toBeGreaterThan(0);
  }, 300_000);

  it('jazzer that cannot load: builtin runs, the note and the environment say why', async () => {
    const dir = await project({ withHangSeed: false });
    const env = { SLO_HARNESS_JAZZER_ADDON: path.join(dir, 'no-such-addon.node') };
    const cli = await run(['run', 'scenarios/text.scenario.ts', '--engine', 'jazzer', '--budget', '3s', '--seed', '2', '--out', 'out', '--quiet', '--trace', 'off'], dir, env);
    expect(cli.code, cli.stderr).not.toBe(2);
    const { file, byName } = await results(dir);
    const s = byName('fixture-engine-text');
    expect(s.engine.requested).toBe('jazzer');
    expect(s.engine.used).toBe('builtin');
    expect(s.engine.note).toContain('not installed');
    expect(s.exploration?.engine).toMatch(/^builtin/);
    expect(file.environment.fallbacks).toContainEqual(expect.objectContaining({ component: 'engine', wanted: 'jazzer', used: 'builtin' }));
  });

  it('auto where Jazzer.js cannot load: builtin, the note says why, no fallback (auto promised nothing)', async () => {
    const dir = await project({ withHangSeed: false });
    const env = { SLO_HARNESS_JAZZER_ADDON: path.join(dir, 'no-such-addon.node') };
    const cli = await run(['run', 'scenarios/structured.scenario.ts', '--engine', 'auto', '--budget', '3s', '--seed', '4', '--out', 'out', '--quiet', '--trace', 'off'], dir, env);
    expect(cli.code, cli.stderr).not.toBe(2);
    const { file, byName } = await results(dir);
    const s = byName('fixture-engine-structured');
    expect(s.engine).toMatchObject({ requested: 'auto', used: 'builtin' });
    expect(s.engine.note).toMatch(/^auto: /);
    expect(s.exploration?.calls).toBeGreaterThan(0);
    expect(file.environment.fallbacks.filter((f) => f.component === 'engine')).toEqual([]);
  });
});

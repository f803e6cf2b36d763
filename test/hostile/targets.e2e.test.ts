/**
 * Hostile targets against the real CLI: a target that kills its own process, aborts,
 * exits, bombs memory inside and outside V8's heap, never settles, loops, hangs while
 * loading, throws values that bite, floods or closes its output, changes process state or
 * leaves a child behind. Each failure is a finding with its input, and the saved input
 * replays (`slo-harness replay`, exit 1); the harness itself always finishes.
 */
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, ResultsFile, ScenarioResult } from '../../harness/core/results-schema.ts';
import { CLI, REPO, processesIn, runCli } from '../support/cli.ts';
import { spawn } from 'node:child_process';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-targets');
/** Each case runs a whole CLI run and a replay: two at a time on a two-core machine. */
const PARALLEL_CASES = 2;
/** Includes the wait for a slot. */
const CASE_TIMEOUT_MS = 300_000;

let running = 0;
const queue: Array<() => void> = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL_CASES) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** A case that waits for a free slot. */
function hostileCase(name: string, body: () => Promise<void>): void {
  it(name, () => slot(body), CASE_TIMEOUT_MS);
}

/** A project with one hostile scenario and its corpus seeds (a plain input and the hostile one). */
async function project(fixture: string, name: string, seeds: string[]): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'hostile-'));
  await mkdir(path.join(dir, 'scenarios'));
  await copyFile(path.join(FIXTURES, fixture), path.join(dir, 'scenarios', fixture));
  const corpus = path.join(dir, 'corpora', name);
  await mkdir(corpus, { recursive: true });
  await writeFile(path.join(corpus, 'plain'), 'hello');
  for (const [i, seed] of seeds.entries()) await writeFile(path.join(corpus, `seed-${i}`), seed);
  return dir;
}

async function scenarioResult(dir: string): Promise<ScenarioResult> {
  const results = JSON.parse(await readFile(path.join(dir, 'out', 'results.json'), 'utf8')) as ResultsFile;
  const s = results.scenarios[0];
  if (!s) throw new Error('no scenario in results.json');
  return s;
}

function run(dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> {
  if (Object.keys(env).length === 0) return runCli(['run', 'scenarios/', '--out', 'out', '--seed', '5', '--budget', '1500ms', ...extra], dir);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/', '--out', 'out', '--seed', '5', '--budget', '1500ms', ...extra], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 }));
  });
}

/** Finds the finding of `kind` whose input starts with `prefix`, or fails with the findings seen. */
function findingOf(s: ScenarioResult, kind: string, prefix: string): Finding {
  const found = s.findings.find((f) => f.kind === kind && f.input.preview.startsWith(prefix));
  if (!found) throw new Error(`no ${kind} finding on ${prefix}: ${JSON.stringify(s.findings.map((f) => [f.kind, f.input.preview, f.message]))}`);
  return found;
}

/** Processes still running in `dir` after up to 10 s (zombies and exiting processes get the time to go). */
async function leftBehind(dir: string): Promise<number[]> {
  let pids = await processesIn(dir);
  for (let i = 0; i < 50 && pids.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    pids = await processesIn(dir);
  }
  return pids;
}

/** `slo-harness replay <metaFile>` reproduces the finding: exit 1. */
async function expectReplays(dir: string, finding: Finding, pattern: RegExp): Promise<void> {
  const replay = await runCli(['replay', finding.metaFile, '--repeats', '2'], dir);
  expect(replay.code, `${replay.stdout}\n${replay.stderr}`).toBe(1);
  expect(replay.stdout).toMatch(pattern);
}

describe.concurrent('hostile targets (real CLI, real isolates)', () => {
  hostileCase('a target that SIGKILLs its own process: crash finding with the input, replayable', async () => {
    const dir = await project('self-kill.scenario.ts', 'hostile-self-kill', ['KILL']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const s = await scenarioResult(dir);
    expect(s.status).toBe('complete');
    const crash = findingOf(s, 'crash', 'KILL');
    expect(crash.message).toMatch(/SIGKILL/);
    await expectReplays(dir, crash, /reproduced: crash/);
  });

  hostileCase('a SIGABRT (a native abort) on an input: crash finding with the input, replayable', async () => {
    const dir = await project('abort.scenario.ts', 'hostile-abort', ['ABORT']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const crash = findingOf(await scenarioResult(dir), 'crash', 'ABORT');
    expect(crash.message).toMatch(/SIGABRT/);
    await expectReplays(dir, crash, /reproduced: crash/);
  });

  hostileCase('process.exit(0) on an input: exit finding, replayable', async () => {
    const dir = await project('exit-zero.scenario.ts', 'hostile-exit-zero', ['EXIT0']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const exit = findingOf(await scenarioResult(dir), 'exit', 'EXIT0');
    await expectReplays(dir, exit, /reproduced: exit/);
  });

  hostileCase('a Buffer memory bomb with memoryLimitMb 64: oom finding (RSS), the harness is fine', async () => {
    const dir = await project('buffer-bomb.scenario.ts', 'hostile-buffer-bomb', ['BOMB']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const s = await scenarioResult(dir);
    expect(s.status).toBe('complete');
    const oom = findingOf(s, 'oom', 'BOMB');
    expect(oom.message).toMatch(/RSS/);
    await expectReplays(dir, oom, /reproduced: oom/);
  });

  hostileCase('a heap bomb: oom finding, replayable', async () => {
    const dir = await project('heap-bomb.scenario.ts', 'hostile-heap-bomb', ['HEAP']);
    const result = await run(dir, ['--budget', '4s']);
    expect(result.code, result.stderr).toBe(1);
    const oom = findingOf(await scenarioResult(dir), 'oom', 'HEAP');
    await expectReplays(dir, oom, /reproduced: oom/);
  });

  hostileCase('a promise that never settles: timeout finding at the scenario timeout, not exit', async () => {
    const dir = await project('never-settles.scenario.ts', 'hostile-never-settles', ['NEVER']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const s = await scenarioResult(dir);
    expect(s.findings.some((f) => f.kind === 'exit')).toBe(false);
    const timeout = findingOf(s, 'timeout', 'NEVER');
    expect(timeout.latencyMs).toBeGreaterThanOrEqual(300);
    await expectReplays(dir, timeout, /reproduced: timeout/);
  });

  hostileCase('a module that hangs while loading in the worker: exit 2 naming the file, within the deadline', async () => {
    const dir = await project('load-hang.scenario.ts', 'hostile-load-hang', []);
    const result = await run(dir, ['--budget', '30s'], { SLO_HARNESS_LOAD_TIMEOUT_MS: '8000' });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/load-hang\.scenario\.ts did not finish loading within 8 s/);
    expect(result.stderr).not.toMatch(/internal error/);
  });

  hostileCase('an infinite loop on one input: timeout finding, replayable', async () => {
    const dir = await project('loop.scenario.ts', 'hostile-loop', ['LOOP']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const timeout = findingOf(await scenarioResult(dir), 'timeout', 'LOOP');
    await expectReplays(dir, timeout, /reproduced: timeout/);
  });

  for (const prefix of ['PROXY', 'NULLPROTO', 'TOSTRING']) {
    hostileCase(`a throw of a hostile value (${prefix}): error finding, replayed and described in the probe`, async () => {
      const dir = await project('hostile-throws.scenario.ts', 'hostile-throws', [prefix]);
      const result = await run(dir);
      expect(result.code, result.stderr).toBe(1);
      const s = await scenarioResult(dir);
      expect(s.status).toBe('complete');
      const error = findingOf(s, 'error', prefix);
      await expectReplays(dir, error, /reproduced: the target threw non-Error thrown/);
    });
  }

  hostileCase('a target that floods and then closes stdout and stderr: the run completes', async () => {
    const dir = await project('stdio.scenario.ts', 'hostile-stdio', ['SHOUT', 'CLOSE']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(0);
    const s = await scenarioResult(dir);
    expect(s.status).toBe('complete');
    expect(s.calls).toBeGreaterThan(100);
  });

  hostileCase('a target that calls process.chdir and rewrites process.env: error finding, results where they belong', async () => {
    const dir = await project('process-state.scenario.ts', 'hostile-process-state', ['ENV', 'CHDIR']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const s = await scenarioResult(dir);
    expect(s.status).toBe('complete');
    const chdir = findingOf(s, 'error', 'CHDIR');
    expect(chdir.message).toMatch(/chdir/);
    expect(s.findings.some((f) => f.input.preview.startsWith('ENV'))).toBe(false);
    await expectReplays(dir, chdir, /reproduced: the target threw/);
  });

  hostileCase('a target that spawns a child and exits: exit finding, no process left behind', async () => {
    const dir = await project('spawn-exit.scenario.ts', 'hostile-spawn-exit', ['SPAWN']);
    const result = await run(dir);
    expect(result.code, result.stderr).toBe(1);
    const exit = findingOf(await scenarioResult(dir), 'exit', 'SPAWN');
    await expectReplays(dir, exit, /reproduced: exit/);
    // The child got SIGTERM with the host's process group; give a loaded machine a moment to reap it.
    expect(await leftBehind(dir)).toEqual([]);
  });
});

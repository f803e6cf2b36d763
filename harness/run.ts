/**
 * Programmatic entry point: run every scenario of one file and get their results, without
 * the CLI's output files. The vitest entry point (`slo-harness/vitest`) is built on it;
 * scripts can use it too. Same runner, same isolates, same verdicts as `slo-harness run`.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomSeed } from './core/rng.ts';
import { initHistograms } from './measure/histogram.ts';
import type { ScenarioResult } from './core/results-schema.ts';
import { runAll } from './pipeline/run-all.ts';
import type { ScenarioProgress } from './pipeline/options.ts';
import { loadScenarioFile, UsageError } from './scenario/load.ts';
import { trackChild } from './core/process-registry.ts';

export interface RunScenarioFileOptions {
  /** Measured-phase budget per scenario in ms (default: each scenario's own budget). */
  budgetMs?: number;
  /** Run only the scenario with this name (a file may export several). */
  scenario?: string;
  /** Seed for every scenario, overriding a scenario's own seed (default: the scenario's seed, else a fresh random seed). */
  seed?: number;
  /** Stops the current scenario cleanly; its partial result is still returned. */
  signal?: AbortSignal;
  onProgress?: (progress: ScenarioProgress) => void;
  /** Working directory that corpus paths and replay commands are relative to (default: process.cwd()). */
  cwd?: string;
}

/** What the parent sends the child (harness/run-file-child.ts) for one scenario file. */
export interface RunFileRequest {
  file: string;
  options: Omit<RunScenarioFileOptions, 'signal' | 'onProgress'>;
}

/** What the child sends back: the results, or the error that ended the file. */
export type RunFileReply = { ok: true; results: ScenarioResult[] } | { ok: false; name: string; message: string };

/**
 * Loads `file` (throws ScenarioError naming file, field and fix when it is invalid) and runs
 * its scenarios one after another (under plain Node with tsx; see runScenarioFileInChild).
 */
export async function runScenarioFile(file: string, options: RunScenarioFileOptions = {}): Promise<ScenarioResult[]> {
  const cwd = options.cwd ?? process.cwd();
  const all = await loadScenarioFile(path.resolve(cwd, file));
  const named = options.scenario === undefined ? all : all.filter((s) => s.name === options.scenario);
  const scenarios = options.seed === undefined ? named : named.map((s) => ({ ...s, seed: options.seed as number }));
  if (named.length === 0) {
    const found = all.map((s) => s.name).join(', ') || 'none';
    throw new UsageError(`no scenario named ${JSON.stringify(options.scenario)} in ${file} (found: ${found})`);
  }
  await initHistograms();
  // runAll waits for each scenario's isolate to exit, so no child outlives this call.
  const results = await runAll(scenarios, {
    seed: options.seed ?? randomSeed(),
    argv: ['run', file],
    cwd,
    ...(options.budgetMs === undefined ? {} : { durationMs: options.budgetMs }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return results.scenarios;
}

const CHILD_FILE = fileURLToPath(new URL('./run-file-child.ts', import.meta.url));

/** The child's error with its name (UsageError, ScenarioError...) and message. */
function childError(reply: Extract<RunFileReply, { ok: false }>): Error {
  const error = reply.name === 'UsageError' ? new UsageError(reply.message) : new Error(reply.message);
  error.name = reply.name;
  return error;
}

/**
 * Same as runScenarioFile, in a child process running plain Node with tsx: for callers whose
 * own module loader (a test runner's) cannot start isolates. The child is in the harness's
 * child registry; aborting `signal` stops the current scenario and returns its partial result.
 */
export function runScenarioFileInChild(file: string, options: Omit<RunScenarioFileOptions, 'onProgress'> = {}): Promise<ScenarioResult[]> {
  const { signal, ...rest } = options;
  const request: RunFileRequest = { file: path.resolve(options.cwd ?? process.cwd(), file), options: rest };
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const child = fork(CHILD_FILE, [], {
    execArgv: ['--import', tsx],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
    // Own process group: the registry (and its parent-death guard) stops the child and
    // anything it left behind as one, even if this process is killed outright.
    detached: true,
  });
  trackChild(child, `run ${file}`);
  const onAbort = (): void => void child.kill('SIGTERM');
  signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<ScenarioResult[]>((resolve, reject) => {
    let reply: RunFileReply | null = null;
    child.once('message', (message: RunFileReply) => (reply = message));
    child.once('error', reject);
    child.once('exit', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (reply?.ok) resolve(reply.results);
      else if (reply) reject(childError(reply));
      else reject(new Error(`slo-harness: the run of ${file} ended without results (exit ${exitSignal ?? code})`));
    });
    child.send(request);
  });
}

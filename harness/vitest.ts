/**
 * vitest entry point: `import { sloTest } from 'slo-harness/vitest'` turns a scenario file
 * into a test, so a team gates pull requests with the runner it already has.
 *
 * ```ts
 * import { sloTest } from 'slo-harness/vitest';
 * sloTest('yaml parser holds p99 < 2 ms', new URL('../scenarios/yaml-parse.ts', import.meta.url), { budgetMs: 5000, seed: 1 });
 * ```
 *
 * A scenario is given by its file (path or URL), optionally with the name of one scenario
 * when the file exports several. An in-memory scenario object cannot be passed: targets run
 * in an isolate that imports them from their file.
 */
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { testFailureMessage, type TestVerdictOptions } from './report/test-verdict.ts';
import type { ScenarioResult } from './core/results-schema.ts';
import { runScenarioFileInChild } from './run.ts';

export { runScenarioFile, runScenarioFileInChild, type RunScenarioFileOptions } from './run.ts';

/** A scenario file, or a file plus the name of one scenario in it. */
export type ScenarioRef = string | URL | { file: string | URL; scenario?: string };

export interface SloTestOptions extends TestVerdictOptions {
  /** Measured-phase budget per scenario in ms (default: the scenario's own budget). */
  budgetMs?: number;
  /** Seed for every scenario, overriding the scenario's own (default: the scenario's seed, else random); failure messages carry it. */
  seed?: number;
  /** vitest timeout for the whole test in ms. Default: 3 x budget + 60 s, or 10 minutes without a budget. */
  timeoutMs?: number;
}

function resolveRef(ref: ScenarioRef): { file: string; scenario: string | undefined } {
  const toPath = (f: string | URL): string => (f instanceof URL ? fileURLToPath(f) : f.startsWith('file:') ? fileURLToPath(f) : f);
  if (typeof ref === 'string' || ref instanceof URL) return { file: toPath(ref), scenario: undefined };
  return { file: toPath(ref.file), scenario: ref.scenario };
}

/** Runs the scenario(s) and throws with the verdict explanation and replay commands unless they pass. */
export async function runSloCheck(ref: ScenarioRef, options: SloTestOptions = {}): Promise<ScenarioResult[]> {
  const { file, scenario } = resolveRef(ref);
  // In a child process: vitest's module transform cannot start the harness's isolates.
  const selected = await runScenarioFileInChild(file, {
    ...(scenario === undefined ? {} : { scenario }),
    ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  });
  const message = testFailureMessage(selected, options);
  if (message !== null) throw new Error(message);
  return selected;
}

/** Registers a vitest test that runs the scenario and fails with the verdict and replay commands. */
export function sloTest(name: string, ref: ScenarioRef, options: SloTestOptions = {}): void {
  const timeout = options.timeoutMs ?? (options.budgetMs === undefined ? 600_000 : options.budgetMs * 3 + 60_000);
  test(name, async () => {
    await runSloCheck(ref, options);
  }, timeout);
}

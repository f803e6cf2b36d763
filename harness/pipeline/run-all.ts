/**
 * Runs a list of scenarios one after another (each owns the machine while it is
 * measured) and assembles results.json. An abort signal ends the current scenario
 * cleanly and skips the rest: the partial results are still complete files.
 */
import { randomBytes } from 'node:crypto';
import { RESULTS_SCHEMA, RESULTS_VERSION, type ResultsFile, type ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import { describeEnvironment } from './environment.ts';
import { runScenario } from './run-scenario.ts';
import type { RunScenarioOptions } from './options.ts';
import { EXIT } from '../core/errors.ts';

export interface RunAllOptions extends Omit<RunScenarioOptions, 'seed'> {
  /** Seed for scenarios that do not fix their own. */
  seed: number;
  argv: string[];
  /** Called after each scenario, e.g. to write partial results. */
  onScenarioDone?: (result: ScenarioResult, partial: ResultsFile) => void | Promise<void>;
  onScenarioStart?: (scenario: ResolvedScenario) => void;
}

export function exitCodeFor(scenarios: ScenarioResult[], interrupted: boolean): number {
  if (scenarios.some((s) => s.verdict === 'FAIL' || s.status === 'error')) return EXIT.FAIL;
  return interrupted ? EXIT.INTERRUPTED : EXIT.PASS;
}

export function assembleResults(
  scenarios: ScenarioResult[],
  meta: { id: string; startedAt: Date; seed: number; argv: string[]; interrupted: boolean },
): ResultsFile {
  const finishedAt = new Date();
  const exitCode = exitCodeFor(scenarios, meta.interrupted);
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    run: {
      id: meta.id,
      startedAt: meta.startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - meta.startedAt.getTime(),
      seed: meta.seed,
      argv: meta.argv,
      status: meta.interrupted ? 'interrupted' : scenarios.some((s) => s.status === 'error') ? 'error' : 'complete',
      exitCode,
      totals: {
        scenarios: scenarios.length,
        passed: scenarios.filter((s) => s.verdict === 'PASS').length,
        failed: scenarios.filter((s) => s.verdict === 'FAIL').length,
        inconclusive: scenarios.filter((s) => s.verdict === 'INCONCLUSIVE').length,
        findings: scenarios.reduce((n, s) => n + s.findings.length, 0),
      },
    },
    environment: describeEnvironment(),
    scenarios,
  };
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-').replace('Z', '')}-${randomBytes(3).toString('hex')}`;
}

export async function runAll(scenarios: ResolvedScenario[], opts: RunAllOptions): Promise<ResultsFile> {
  const id = newRunId();
  const startedAt = new Date();
  const done: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    if (opts.signal?.aborted) break;
    opts.onScenarioStart?.(scenario);
    const result = await runScenario(scenario, { ...opts, seed: scenario.seed ?? opts.seed });
    done.push(result);
    const partial = assembleResults(done, { id, startedAt, seed: opts.seed, argv: opts.argv, interrupted: opts.signal?.aborted ?? false });
    await opts.onScenarioDone?.(result, partial);
  }
  return assembleResults(done, { id, startedAt, seed: opts.seed, argv: opts.argv, interrupted: opts.signal?.aborted ?? false });
}

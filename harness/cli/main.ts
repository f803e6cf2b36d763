/**
 * The slo-harness command line: parses arguments, runs scenarios or replays a finding,
 * writes results, and maps outcomes to exit codes (0 pass, 1 SLO failed or finding,
 * 2 usage or scenario error, 130/143 interrupted). Ctrl-C or SIGTERM stops the current
 * scenario cleanly and writes partial results; a second Ctrl-C kills children at once.
 */
import path from 'node:path';
import { writeReportFiles } from '../report/write.ts';
import { initHistograms } from '../measure/histogram.ts';
import { randomSeed } from '../engine/rng.ts';
import type { ResultsFile } from '../report/results-schema.ts';
import { EXIT, newRunId, runAll } from '../runner/run-all.ts';
import { loadScenarios, UsageError } from '../scenario/load.ts';
import { ScenarioError } from '../scenario/schema.ts';
import { terminateAllChildren } from '../target/children.ts';
import { HELP, parseCli, type RunCommand } from './args.ts';
import { createProgress } from './progress.ts';
import { replayViolation } from './replay.ts';
import { formatSummary } from './summary.ts';

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** results.json (the source of truth) first, then the HTML report and JUnit XML beside it. */
async function writeResults(outDir: string, results: ResultsFile): Promise<{ json: string; html: string; junit: string }> {
  return writeReportFiles(results, outDir);
}

async function runCommand(cmd: RunCommand): Promise<number> {
  const scenarios = await loadScenarios(cmd.paths);
  await initHistograms();
  const seed = cmd.seed ?? randomSeed();
  const outDir = path.resolve(cmd.out ?? path.join('reports', newRunId()));
  const progress = createProgress(process.stderr, cmd.quiet);
  const controller = new AbortController();
  let signalName: string | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalName) {
      // Second signal: the user wants out now.
      void terminateAllChildren(200).finally(() => process.exit(SIGNAL_EXIT[signal] ?? 130));
      return;
    }
    signalName = signal;
    progress.line(`${signal}: stopping the current scenario and writing partial results (again to kill at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  progress.line(`slo-harness: ${scenarios.length} scenario(s), seed ${seed} (replay with --seed ${seed}), results in ${path.relative(process.cwd(), outDir) || '.'}`);
  const results = await runAll(
    scenarios.map((s) => ({ ...s, engine: cmd.engine ?? s.engine })),
    {
      seed,
      argv: process.argv.slice(2),
      signal: controller.signal,
      ...(cmd.budgetMs !== null ? { durationMs: cmd.budgetMs } : {}),
      onProgress: (p) => progress.update(p),
      onFinding: (f) => progress.line(`  finding: ${f.kind} ${f.latencyMs.toFixed(1)} ms, input "${f.input.preview.slice(0, 60)}" -> ${f.metaFile}`),
      onScenarioStart: (s) => progress.line(`> ${s.name} (${path.relative(process.cwd(), s.file)})`),
      // Partial results after every scenario: an interrupted or killed run still leaves a file.
      onScenarioDone: async (_result, partial) => {
        await writeResults(outDir, partial);
      },
    },
  );
  progress.clear();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  let exitCode = results.run.exitCode;
  if (signalName) exitCode = exitCode === EXIT.FAIL ? EXIT.FAIL : (SIGNAL_EXIT[signalName] ?? 130);
  if (cmd.failOnInconclusive && exitCode === EXIT.PASS && results.run.totals.inconclusive > 0) exitCode = EXIT.FAIL;
  results.run.exitCode = exitCode;
  const files = await writeResults(outDir, results);
  const summary = formatSummary(results);
  const where = `results: ${path.relative(process.cwd(), files.json)}\njunit: ${path.relative(process.cwd(), files.junit)}\nreport: ${path.relative(process.cwd(), files.html)}`;
  if (cmd.json) {
    process.stderr.write(`${summary}\n${where}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    process.stdout.write(`${summary}\n${where}\n`);
  }
  return exitCode;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.command) {
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return EXIT.PASS;
      case 'version':
        process.stdout.write(`${(await import('../runner/environment.ts')).describeEnvironment().harnessVersion}\n`);
        return EXIT.PASS;
      case 'replay': {
        const outcome = await replayViolation(cmd.file, cmd.repeats);
        process.stdout.write(`${outcome.summary}\n`);
        return outcome.reproduced ? EXIT.FAIL : EXIT.PASS;
      }
      case 'run':
        return await runCommand(cmd);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ScenarioError) {
      process.stderr.write(`slo-harness: ${error.message}\n`);
      return EXIT.USAGE;
    }
    process.stderr.write(`slo-harness: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.FAIL;
  } finally {
    await terminateAllChildren();
  }
}

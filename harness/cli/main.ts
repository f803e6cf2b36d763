/**
 * The slo-harness command line: parses arguments, runs scenarios or replays a finding,
 * writes results, and maps outcomes to exit codes (0 pass, 1 SLO failed or finding,
 * 2 usage or scenario error, 130/143 interrupted). Ctrl-C or SIGTERM stops the current
 * scenario cleanly and writes partial results; a second Ctrl-C kills children at once.
 * The report and corpus folders are checked before the run (core/writable.ts); files a full
 * or read-only disk refuses during the run are named at the end, with exit 2
 * (core/write-failures.ts).
 */
import path from 'node:path';
import { checkExternalToxiproxy } from '../chaos/toxiproxy/external.ts';
import { WriteError } from '../core/atomic-file.ts';
import { checkRunFolders } from '../core/writable.ts';
import { EXIT, HarnessError, SIGNAL_EXIT } from '../core/errors.ts';
import { describeLostWrites, lostWrites } from '../core/write-failures.ts';
import { shownPath } from '../core/display-path.ts';
import { shouldUseColor } from '../report/console.ts';
import type { Reporter, WrittenReport } from '../report/reporter.ts';
import { resolveReporters } from '../report/reporters.ts';
import { rerenderReportSet, writeFinalReport, writeReportSet, type WriteReportOptions } from '../report/write.ts';
import { readResultsFile, ResultsFileError } from '../report/results-validate.ts';
import { initHistograms } from '../measure/histogram.ts';
import { randomSeed } from '../core/rng.ts';
import { newRunId, runAll } from '../pipeline/run-all.ts';
import { regressionRunner } from '../pipeline/regression.ts';
import { loadScenarios } from '../scenario/load.ts';
import { terminateAllChildren } from '../core/process-registry.ts';
import { HELP, parseCli, type ReportCommand, type RunCommand } from './args.ts';
import { breakingPointStepLine, createProgress } from './progress.ts';
import { replayViolation } from './replay.ts';

/**
 * What the user reads for an error the harness expected (its message, no stack): a failed
 * write says what it already replaced, and the two whose fix is not in the message say it.
 */
function describeHarnessError(error: HarnessError): string {
  if (error instanceof WriteError) {
    const kept = error.replaced.length === 0 ? 'nothing there was replaced' : `already replaced: ${error.replaced.map((f) => shownPath(f)).join(', ')}`;
    return `${error.message}; ${kept}\n  fix: free space on that disk or make the folder writable (or pass --out a writable folder)`;
  }
  if (error instanceof ResultsFileError) {
    return `${error.message}\n  fix: pass a results.json written by \`slo-harness run\` (reports/<run>/results.json) with this slo-harness version`;
  }
  return error.message;
}

/**
 * Each reporter's terminal text (the console summary), on stdout; on stderr when stdout
 * carries `--json`. Colour follows the stream it goes to.
 */
function printReporterText(reporters: readonly Reporter[], report: WrittenReport, stream: NodeJS.WriteStream): void {
  for (const reporter of reporters) {
    const text = reporter.onReportWritten?.(report, { color: shouldUseColor(stream) });
    if (text !== undefined) stream.write(`${text}\n`);
  }
}

/** A baseline is read before the run starts: a bad file fails in a second, not after the whole run. */
async function loadBaseline(file: string | null): Promise<WriteReportOptions> {
  if (file === null) return {};
  return { baseline: await readResultsFile(file), baselineFile: file };
}

/**
 * Loads the scenarios with Ctrl-C and SIGTERM handled: there is nothing to write yet, so a
 * signal stops the children the load started (pre-check worker's spawns, none else) and
 * exits 130/143 with a line saying so, instead of dying by the signal.
 */
async function loadInterruptibly(cmd: RunCommand): Promise<Awaited<ReturnType<typeof loadScenarios>>> {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`slo-harness: ${signal} while loading scenarios; nothing was run\n`);
    void terminateAllChildren(200).finally(() => process.exit(SIGNAL_EXIT[signal] ?? 130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const scenarios = await loadScenarios(cmd.paths, process.cwd(), cmd.loadTimeoutMs === null ? {} : { loadTimeoutMs: cmd.loadTimeoutMs });
    // An unreachable external Toxiproxy is a configuration error, before anything starts.
    await checkExternalToxiproxy(scenarios);
    return scenarios;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runCommand(cmd: RunCommand): Promise<number> {
  // The one place `run` picks its reporters (`--reporter`); an unknown name is exit 2 before anything runs.
  const reporters = resolveReporters(cmd.reporters);
  // The isolates' workers load the scenario again: they read the same deadline from the environment.
  if (cmd.loadTimeoutMs !== null) process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'] = String(cmd.loadTimeoutMs);
  const scenarios = await loadInterruptibly(cmd);
  const compare = await loadBaseline(cmd.baseline);
  const outDir = path.resolve(cmd.out ?? path.join('reports', newRunId()));
  // A replay-only --regression run saves nothing in the corpora; every other run may.
  await checkRunFolders(outDir, scenarios, { corpora: !cmd.regression || cmd.budgetMs !== null });
  await initHistograms();
  const seed = cmd.seed ?? randomSeed();
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

  progress.line(`slo-harness: ${scenarios.length} scenario(s), seed ${seed} (replay with --seed ${seed}), results in ${shownPath(outDir)}`);
  // --regression: replay saved violations first (alone, or before the fuzz phase when --budget is given).
  const results = await (cmd.regression ? regressionRunner(cmd.budgetMs !== null, (l) => progress.line(l)) : runAll)(
    scenarios.map((s) => ({ ...s, engine: cmd.engine ?? s.engine })),
    {
      seed,
      argv: process.argv.slice(2),
      signal: controller.signal,
      ...(cmd.budgetMs !== null ? { durationMs: cmd.budgetMs } : {}),
      onProgress: (p) => progress.update(p),
      onFinding: (f) => progress.line(`  finding: ${f.kind} ${f.latencyMs.toFixed(1)} ms, input "${f.input.preview.slice(0, 60)}" -> ${f.metaFile}`),
      onBreakingPointStep: (s) => progress.line(`  ${breakingPointStepLine(s)}`),
      onScenarioStart: (s) => progress.line(`> ${s.name} (${path.relative(process.cwd(), s.file)})`),
      // Stacks of the worst violations after each scenario (pipeline/trace-phase.ts).
      trace: { mode: cmd.trace, hz: cmd.traceHz, log: (line: string) => progress.line(`  ${line}`) },
      // Partial results after every scenario: an interrupted or killed run still leaves a file.
      // A disk that refuses them loses nothing yet: the final write tries again (and says so).
      onScenarioDone: async (_result, partial) => {
        await writeReportSet(reporters, partial, outDir, compare, 'partial').catch((error: unknown) => {
          if (!(error instanceof WriteError)) throw error;
          progress.line(`  partial results not written: ${error.message}`);
        });
      },
    },
  );
  progress.clear();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  let exitCode = results.run.exitCode;
  if (signalName) exitCode = exitCode === EXIT.FAIL ? EXIT.FAIL : (SIGNAL_EXIT[signalName] ?? 130);
  if (cmd.failOnInconclusive && exitCode === EXIT.PASS && results.run.totals.inconclusive > 0) exitCode = EXIT.FAIL;
  // Lost findings or corpus entries outrank any verdict: a caller who saw 0 or 1 would
  // trust a corpus and report that are missing files.
  if (lostWrites().length > 0) exitCode = EXIT.USAGE;
  results.run.exitCode = exitCode;
  const report = await writeFinalReport(reporters, results, outDir, compare);
  // What was written, baseline comparison included, is what the summary and --json show.
  printReporterText(reporters, report, cmd.json ? process.stderr : process.stdout);
  if (cmd.json) process.stdout.write(`${JSON.stringify(report.results, null, 2)}\n`);
  const lost = lostWrites();
  if (lost.length === 0) return exitCode;
  process.stderr.write(`${describeLostWrites(lost)}\n`);
  return EXIT.USAGE;
}

/** `report`: validates a results.json and re-renders index.html and junit.xml from it alone. */
async function reportCommand(cmd: ReportCommand): Promise<number> {
  // `--reporter` or the default set: `report` re-renders what a run writes.
  const reporters = resolveReporters(cmd.reporters);
  const report = await rerenderReportSet(reporters, cmd.file, {
    ...(cmd.out === null ? {} : { outDir: cmd.out }),
    ...(cmd.baseline === null ? {} : { baselinePath: cmd.baseline }),
  });
  printReporterText(reporters, report, process.stdout);
  return EXIT.PASS;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    switch (cmd.command) {
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return EXIT.PASS;
      case 'version':
        process.stdout.write(`${(await import('../pipeline/environment.ts')).describeEnvironment().harnessVersion}\n`);
        return EXIT.PASS;
      case 'replay': {
        const outcome = await replayViolation(cmd.file, cmd.repeats);
        process.stdout.write(`${outcome.summary}\n`);
        return outcome.reproduced ? EXIT.FAIL : EXIT.PASS;
      }
      case 'run':
        return await runCommand(cmd);
      case 'report':
        return await reportCommand(cmd);
    }
  } catch (error) {
    if (error instanceof HarnessError) {
      process.stderr.write(`slo-harness: ${describeHarnessError(error)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`slo-harness: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.FAIL;
  } finally {
    await terminateAllChildren();
  }
}

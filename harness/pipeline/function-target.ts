/**
 * Function targets through the phase runner (pipeline/phases.ts): explore, measure (both in
 * function-measure.ts), verdict, minimise (confirm, shrink and growth per finding:
 * pipeline/minimise.ts), trace, chaos in force, breaking point (intensity steps:
 * pipeline/breaking-point-runner.ts). Only explore, measure, minimise, trace and breaking
 * point reach the isolate driver (drivers/isolate); the verdict and chaos phases read what
 * the measured phase recorded.
 */
import { performance } from 'node:perf_hooks';
import { applyStallRule, overallVerdict, sloVerdict, stallSummary } from '../measure/verdict.ts';
import { pacedSummary } from '../measure/paced.ts';
import { chaosInForce } from '../chaos/chaos-ledger.ts';
import type { ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedFunctionScenario } from '../scenario/types.ts';
import type { CurvePoint } from '../search/breaking-point.ts';
import { describeHostExit, type IsolateTargetExit } from '../drivers/isolate/driver.ts';
import { runBreakingPoint } from './breaking-point-runner.ts';
import { explorePhase, measurePhase } from './function-measure.ts';
import { prepareFunctionRun, type FunctionRun } from './function-run.ts';
import { minimiseScenarioFindings } from './minimise.ts';
import type { RunScenarioOptions } from './options.ts';
import { runPipeline, type PipelineTarget } from './phases.ts';
import { buildScenarioResult, completion } from './scenario-result.ts';
import { runTracePhase } from './trace-phase.ts';

/**
 * Why a measuring host that neither crashed nor was interrupted ended badly; null when it
 * ended well. By its exit code: a host that finished its work and then exited non-zero failed too.
 */
function hostFailure(exit: IsolateTargetExit | null): string | null {
  if (!exit || exit.crash || exit.code === 0) return null;
  if (exit.reason === 'unresponsive') return exit.message;
  return `${describeHostExit(exit)}${exit.outputTail ? `; last output: ${exit.outputTail.slice(-500)}` : ''}`;
}

/** Turns the measured phase into SLO verdicts and the scenario's result. */
function verdictPhase(run: FunctionRun): void {
  const { scenario, setup } = run;
  const stalledMs = run.stalledBeforeMs + run.hostStalledMs;
  if (!run.fatal && !run.interrupted) run.fatal = hostFailure(run.exit);
  const histogram = run.ledger.merged();
  const rawHistogram = run.ledger.mergedRaw();
  run.ledger.destroy();
  const rate = scenario.slo.rate;
  const paced = rate !== undefined ? pacedSummary(rate, histogram, rawHistogram) : null;
  rawHistogram?.destroy();
  const measuredWallMs = performance.now() - run.measureStarted;
  const stall = stallSummary(stalledMs, measuredWallMs);
  // Over 1% of the phase in hung calls: no SLO may PASS on the calls that did return (measure/stall.ts).
  const slos = applyStallRule(
    scenario.slo.thresholds.map((t) => sloVerdict(histogram, t.metric, t.thresholdMs)),
    histogram,
    { stalledMs, phaseWallMs: measuredWallMs, timeoutMs: scenario.timeoutMs, ...(rate !== undefined ? { callsPerMs: rate / 1000 } : {}) },
  );
  const findings = run.findings.list();
  const { selection } = setup;
  run.result = buildScenarioResult(
    scenario,
    {
      cwd: run.cwd,
      seed: run.opts.seed,
      engine: { requested: selection.requested, used: selection.used, note: selection.note },
      seeds: setup.seeds.length,
      budget: { durationMs: setup.durationMs, calls: setup.calls },
      ...completion(run.fatal, run.interrupted),
      durationMs: run.elapsedMs(),
      histogram,
      // Measured calls over the measured phase's own time (exploration has its own rate).
      callsPerSecond: histogram.totalCount / Math.max((performance.now() - run.measureStarted) / 1000, 1e-3),
      restarts: run.restarts,
      slos,
      verdict: overallVerdict(slos, findings.length),
      findings,
    },
    { ...(run.exploration ? { exploration: run.exploration.summary } : {}), ...(stall ? { stall } : {}), ...(paced ? { paced } : {}) },
  );
  histogram.destroy();
}

/** Confirms slow findings with first calls in a probe isolate, shrinks them and fits their growth; unconfirmed ones are dropped. */
async function minimisePhase(run: FunctionRun): Promise<void> {
  const { setup } = run;
  const result = run.built();
  const options = { seed: run.opts.seed, corpus: setup.corpus, encoding: setup.encoding, durationMs: setup.durationMs, seeds: setup.seeds, cwd: run.cwd, cli: run.cli, ...run.signalOption() };
  const minimisation = await minimiseScenarioFindings(run.scenario, run.findings.byId, options);
  if (!minimisation) return;
  result.minimisation = minimisation;
  result.findings = run.findings.list();
  result.verdict = overallVerdict(result.slos, result.findings.length);
}

/** Stacks of the worst violations (pipeline/trace-phase.ts), set on the findings in place. */
async function tracePhase(run: FunctionRun): Promise<void> {
  if (!run.opts.trace) return;
  await runTracePhase({ scenario: run.scenario, findings: run.built().findings, seeds: run.setup.seeds, seed: run.opts.seed, cwd: run.cwd, ...run.signalOption() }, run.opts.trace);
}

/** Chaos in force over the measured phase and the dependency delay it injected per call. */
function chaosPhase(run: FunctionRun): void {
  const chaos = chaosInForce(run.scenario.chaos, run.cpuStress?.info ?? null, run.chaosLedger.summary());
  if (chaos) run.built().chaos = chaos;
}

/** The breaking-point search, after the measured phase, on its own budget. */
async function breakingPointPhase(run: FunctionRun): Promise<void> {
  const { scenario } = run;
  if (!scenario.breakingPoint) return;
  const knob = scenario.breakingPoint.knob;
  const onStep = (point: CurvePoint): void => run.opts.onBreakingPointStep?.({ scenario: scenario.name, knob, point });
  const found = await runBreakingPoint(scenario, { seed: run.opts.seed, seeds: run.setup.seeds, onStep, ...run.signalOption() });
  if (found) run.built().breakingPoint = found;
}

export const functionTarget: PipelineTarget<FunctionRun> = {
  phases: [
    { name: 'explore', when: 'always', run: explorePhase },
    { name: 'measure', when: 'always', run: measurePhase },
    { name: 'verdict', when: 'always', run: verdictPhase },
    { name: 'minimise', when: 'healthy', run: minimisePhase },
    // After minimisation: the traced findings are the minimised ones.
    { name: 'trace', when: 'healthy', run: tracePhase },
    { name: 'chaos', when: 'always', run: chaosPhase },
    { name: 'breaking-point', when: 'unstopped', run: breakingPointPhase },
  ],
  // A configuration error (a module that never loads) is the CLI's exit 2, not a scenario status.
  onError: 'throw',
  result: (run): ScenarioResult => run.built(),
};

export async function runFunctionScenario(scenario: ResolvedFunctionScenario, opts: RunScenarioOptions): Promise<ScenarioResult> {
  return runPipeline(await prepareFunctionRun(scenario, opts), functionTarget);
}

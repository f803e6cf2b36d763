/**
 * HTTP service targets through the phase runner (pipeline/phases.ts): the tracer prepared
 * (`--trace`), dependencies and their chaos proxies up, the service up and ready, a measured
 * open-loop phase (corrected P99 decides the SLO; the uncorrected one is reported beside it),
 * the breaking-point search when the scenario asks for one, and a crash finding when a process
 * died. A service that never starts is an `error` status with its output. Only these phases
 * reach the HTTP driver (drivers/http); every process is stopped by the runner's cleanup.
 */
import { AUTO, FALLBACK_ENGINE } from '../engine/registry.ts';
import { performance } from 'node:perf_hooks';
import { CorpusStore } from '../engine/corpus.ts';
import { encodingFor } from '../engine/feeders.ts';
import { createLatencyHistogram, initHistograms } from '../measure/histogram.ts';
import { overallVerdict, sloVerdict } from '../measure/verdict.ts';
import type { BreakingPointResult, ChaosInForce, Finding, ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import type { CurvePoint } from '../search/breaking-point.ts';
import { ServiceTracer } from '../trace/service-trace.ts';
import { saveCrashSuspects } from '../drivers/http/crash-finding.ts';
import { runLoadPhase, type LoadPhaseOptions, type LoadPhaseResult } from '../drivers/http/load-phase.ts';
import { createServiceFeeder, RequestSource } from '../drivers/http/requests.ts';
import { startServiceStack, type ProcessDeath, type ServiceStack } from '../drivers/http/stack.ts';
import { buildFinding } from './finding.ts';
import type { RunScenarioOptions } from './options.ts';
import { RunState, runPipeline, type PipelineTarget } from './phases.ts';
import { buildScenarioResult, completion } from './scenario-result.ts';
import { runServiceBreakingPoint } from './service-breaking-point.ts';
import { latencyPoints, serviceChaosInForce, serviceStats, timeline, TIMELINE_WINDOW_MS } from './service-stats.ts';

/** A process death, with the requests in flight when it happened. */
interface Crash {
  death: ProcessDeath;
  suspects: Uint8Array[];
  offsetMs: number;
}

export class ServiceRun extends RunState {
  readonly findings: Finding[] = [];
  tracer: ServiceTracer | null = null;
  stack: ServiceStack | null = null;
  /** Resolves when a process dies (its suspects snapshotted at that moment). */
  crash: Promise<Crash> | null = null;
  phase: LoadPhaseResult | null = null;
  phaseOffsetMs = 0;
  chaos: ChaosInForce | undefined;
  breakingPoint: BreakingPointResult | null = null;

  constructor(
    readonly scenario: ResolvedServiceScenario,
    opts: RunScenarioOptions,
    readonly seeds: number,
    readonly source: RequestSource,
    readonly durationMs: number,
    started: number,
  ) {
    super(opts, started);
  }

  /** The stack, once the start phase has it up. */
  running(): ServiceStack {
    if (!this.stack) throw new Error(`scenario ${this.scenario.name}: the service stack is not running`);
    return this.stack;
  }

  progress(p99Ms: number): void {
    const calls = this.phase?.corrected.totalCount ?? 0;
    this.opts.onProgress?.({ scenario: this.scenario.name, elapsedMs: this.elapsedMs(), calls, callsPerSecond: this.phase?.load.achievedRate ?? 0, p99Ms, findings: 0, restarts: 0 });
  }
}

/** `--trace`: the service's stacks over the load phase (harness/trace/service-trace.ts); it never fails the run. */
async function traceSetupPhase(run: ServiceRun): Promise<void> {
  const trace = run.opts.trace;
  if (!trace || trace.mode === 'off' || run.aborted) return;
  const options = { mode: trace.mode, hz: trace.hz, pathRoot: run.cwd, ...(trace.env ? { env: trace.env } : {}), ...(trace.log ? { log: trace.log } : {}) };
  const tracer = await ServiceTracer.prepare(run.scenario, options).catch(() => null);
  run.tracer = tracer;
  if (tracer) run.onCleanup(() => tracer.cleanup());
}

async function startPhase(run: ServiceRun): Promise<void> {
  const tracer = run.tracer;
  const stack = await startServiceStack(run.scenario, { seed: run.opts.seed, ...run.signalOption(), ...(tracer ? { serviceEnv: tracer.serviceEnv } : {}) });
  run.stack = stack;
  run.onCleanup(() => stack.stop());
  // Snapshot the suspects the moment a process dies, before the load loop forgets them.
  run.crash = stack.died.then((death) => ({ death, suspects: run.source.suspectInputs(), offsetMs: run.elapsedMs() }));
  run.phaseOffsetMs = run.elapsedMs();
  run.chaos = serviceChaosInForce(stack);
}

async function measurePhase(run: ServiceRun): Promise<void> {
  const stack = run.running();
  const load = (onSettled?: LoadPhaseOptions['onSettled']): Promise<LoadPhaseResult> => runLoadPhase({
    ...(onSettled ? { onSettled } : {}),
    origin: stack.origin,
    rate: run.scenario.service.rate,
    connections: run.scenario.service.connections,
    timeoutMs: run.scenario.timeoutMs,
    durationMs: run.durationMs,
    source: run.source,
    ...run.signalOption(),
    died: stack.died,
    timelineWindowMs: TIMELINE_WINDOW_MS,
  });
  run.phase = run.tracer ? await run.tracer.around(stack.service.pid, load) : await load();
  run.progress(latencyPoints(run.phase.corrected).p99Ms);
}

async function breakingPointPhase(run: ServiceRun): Promise<void> {
  const { scenario } = run;
  const stack = run.running();
  if (stack.death() !== null || !scenario.breakingPoint) return;
  const bpStart = run.elapsedMs();
  const knob = scenario.breakingPoint.knob;
  const onStep = (point: CurvePoint): void => {
    run.progress(point.p99Ms);
    run.opts.onBreakingPointStep?.({ scenario: scenario.name, knob, point });
  };
  run.breakingPoint = await runServiceBreakingPoint({ scenario, stack, source: run.source, onStep, ...run.signalOption() });
  run.chaos?.faultWindows.push({ startMs: bpStart, endMs: run.elapsedMs(), label: `breaking-point search over ${knob}` });
}

/** A service that died under load: its in-flight inputs are saved and it is a finding. */
async function crashFindingPhase(run: ServiceRun): Promise<void> {
  if (run.running().death() === null || !run.crash) return;
  const c = await run.crash;
  const saved = await saveCrashSuspects({ scenario: run.scenario, death: c.death, suspects: c.suspects, seed: run.opts.seed, engine: run.source.engine, cwd: run.cwd, cliName: run.cli });
  const finding: Finding = {
    ...buildFinding({
      ...saved,
      latencyMs: 0,
      budgetMs: run.scenario.slo.perCallMs,
      cwd: run.cwd,
      replay: { command: saved.replay },
      firstSeenAt: saved.foundAt,
      occurrences: 1,
    }),
    offsetMs: c.offsetMs,
  };
  run.findings.push(finding);
  run.opts.onFinding?.(finding);
}

function serviceResult(run: ServiceRun): ScenarioResult {
  const { scenario, phase, stack } = run;
  const serviceStacks = phase && run.tracer ? run.tracer.result() : undefined;
  const histogram = phase?.corrected ?? createLatencyHistogram();
  const interrupted = run.aborted;
  const slos = scenario.slo.thresholds.map((t) => sloVerdict(histogram, t.metric, t.thresholdMs));
  const engine = run.source.engine;
  const result = buildScenarioResult(
    scenario,
    {
      cwd: run.cwd,
      seed: run.opts.seed,
      // Service requests come from the in-process feeder (no coverage reaches another process):
      // only an explicit Jazzer request is a fallback worth flagging.
      engine: { requested: scenario.engine !== AUTO && scenario.engine !== FALLBACK_ENGINE ? scenario.engine : engine, used: engine, note: 'HTTP service: requests built in-process from the input feeder' },
      seeds: run.seeds,
      budget: { durationMs: run.durationMs, calls: null },
      ...completion(run.fatal, interrupted),
      durationMs: run.elapsedMs(),
      histogram,
      callsPerSecond: phase ? phase.load.achievedRate : 0,
      restarts: 0,
      slos,
      verdict: overallVerdict(slos, run.findings.length),
      findings: run.findings,
    },
    {
      ...(run.breakingPoint ? { breakingPoint: run.breakingPoint } : {}),
      ...(run.chaos ? { chaos: run.chaos } : {}),
      ...(phase ? { timeline: timeline(phase, run.phaseOffsetMs) } : {}),
      ...(phase && stack ? { service: { ...serviceStats(scenario, stack, phase), ...(serviceStacks ? { stacks: serviceStacks } : {}) } } : {}),
    },
  );
  histogram.destroy();
  phase?.uncorrected.destroy();
  return result;
}

export const serviceTarget: PipelineTarget<ServiceRun> = {
  phases: [
    { name: 'trace-setup', when: 'always', run: traceSetupPhase },
    { name: 'start', when: 'always', run: startPhase },
    { name: 'measure', when: 'always', run: measurePhase },
    { name: 'breaking-point', when: 'unstopped', run: breakingPointPhase },
    { name: 'crash-finding', when: 'always', run: crashFindingPhase },
  ],
  // A service that fails to start (or a phase that breaks) is the scenario's `error` status.
  onError: 'fatal',
  result: serviceResult,
};

export async function runServiceScenario(scenario: ResolvedServiceScenario, opts: RunScenarioOptions): Promise<ScenarioResult> {
  await initHistograms();
  const run = await prepareServiceRun(scenario, opts);
  return runPipeline(run, serviceTarget);
}

async function prepareServiceRun(scenario: ResolvedServiceScenario, opts: RunScenarioOptions): Promise<ServiceRun> {
  const started = performance.now();
  const corpus = new CorpusStore(scenario.input.corpusDir);
  const seeds = await corpus.loadSeeds(encodingFor(scenario.input.type));
  const source = new RequestSource(createServiceFeeder(scenario, opts.seed, seeds), scenario.service.request);
  return new ServiceRun(scenario, opts, seeds.length, source, opts.durationMs ?? scenario.service.durationMs, started);
}

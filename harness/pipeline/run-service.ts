/**
 * Runs one HTTP service scenario: dependencies and their chaos proxies up, the service up
 * and ready, a measured open-loop phase (corrected P99 decides the SLO; the uncorrected one
 * is reported beside it), then the breaking-point search when the scenario asks for one.
 * A service that dies is a finding with its in-flight inputs; a service that never starts
 * is an `error` status with its output. Every process is stopped before this returns.
 */
import { performance } from 'node:perf_hooks';
import { CorpusStore } from '../engine/corpus.ts';
import { encodingFor } from '../engine/feeders.ts';
import { createLatencyHistogram, initHistograms, summarizeLatency, valueAtQuantileMs, type Histogram } from '../measure/histogram.ts';
import { overallVerdict, sloVerdict } from '../measure/verdict.ts';
import type { BreakingPointResult, ChaosInForce, CompletionStatus, Finding, ScenarioResult, ServiceStacks, ServiceStats, TimelineWindow } from '../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import { runServiceBreakingPoint } from '../drivers/http/breaking-point.ts';
import { saveCrashFinding } from '../drivers/http/crash-finding.ts';
import { runLoadPhase, type LoadPhaseOptions, type LoadPhaseResult } from '../drivers/http/load-phase.ts';
import { createServiceFeeder, RequestSource } from '../drivers/http/requests.ts';
import { startServiceStack, type ServiceStack } from '../drivers/http/stack.ts';
import type { CurvePoint } from '../search/breaking-point.ts';
import { ServiceTracer } from '../trace/service-trace.ts';
import type { RunScenarioOptions } from './run-scenario.ts';
import { relativeToCwd } from '../core/display-path.ts';

const TIMELINE_WINDOW_MS = 250;

function summary(h: Histogram): { p50Ms: number; p99Ms: number; maxMs: number } {
  if (h.totalCount === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  return { p50Ms: valueAtQuantileMs(h, 0.5), p99Ms: valueAtQuantileMs(h, 0.99), maxMs: valueAtQuantileMs(h, 1) };
}

function serviceStats(scenario: ResolvedServiceScenario, stack: ServiceStack, phase: LoadPhaseResult): ServiceStats {
  const { load } = phase;
  return {
    command: stack.serviceArgv,
    origin: stack.origin,
    rate: load.rate,
    achievedRate: load.achievedRate,
    connections: scenario.service.connections,
    planned: load.planned,
    sent: load.sent,
    completed: load.completed,
    errors: { ...load.errors },
    corrected: summary(phase.corrected),
    uncorrected: summary(phase.uncorrected),
    lagP99Ms: load.lagP99Ms,
    maxLagMs: load.maxLagMs,
    proxy: { mode: stack.chaos.mode, url: stack.chaos.url },
    dependencies: stack.dependencies.map((d) => ({ name: d.name, upstream: d.upstream, proxied: d.proxied })),
    warnings: measurementWarnings(scenario, load),
  };
}

/** Share of the tightest threshold above which the sender's own lateness is worth a warning. */
const LAG_WARNING_SHARE = 0.2;

function measurementWarnings(scenario: ResolvedServiceScenario, load: LoadPhaseResult['load']): string[] {
  const warnings: string[] = [];
  const tightest = Math.min(...scenario.slo.thresholds.map((t) => t.thresholdMs));
  if (Number.isFinite(tightest) && load.lagP99Ms > LAG_WARNING_SHARE * tightest) {
    warnings.push(
      `the load generator fell behind its schedule (sender lag P99 ${load.lagP99Ms.toFixed(1)} ms, max ${load.maxLagMs.toFixed(1)} ms, against a ${tightest} ms threshold): ` +
        'the harness process was short of CPU; corrected latencies include this lag, so rerun on a quieter machine before blaming the service',
    );
  }
  if (load.achievedRate < 0.95 * load.rate) warnings.push(`achieved ${load.achievedRate.toFixed(0)} of ${load.rate} req/s`);
  return warnings;
}

function timeline(phase: LoadPhaseResult, offsetMs: number): TimelineWindow[] {
  return phase.load.timeline.map((w) => ({ tStartMs: offsetMs + w.tStartMs, durationMs: TIMELINE_WINDOW_MS, count: w.count, p99Ms: w.p99Ms, errors: w.errors }));
}

/** The chaos of the measured phase (read before the proxies are torn down). */
function chaosInForce(stack: ServiceStack): ChaosInForce | undefined {
  const toxics = stack.chaos.toxicsInForce();
  if (toxics.length === 0) return undefined;
  return { pareto: stack.chaos.pareto(), toxics, cpuStress: null, faultWindows: [], note: stack.chaos.note() };
}

export async function runServiceScenario(scenario: ResolvedServiceScenario, opts: RunScenarioOptions): Promise<ScenarioResult> {
  await initHistograms();
  const cwd = opts.cwd ?? process.cwd();
  const cliName = opts.cliName ?? 'npx slo-harness';
  const started = performance.now();
  const corpus = new CorpusStore(scenario.input.corpusDir);
  const seeds = await corpus.loadSeeds(encodingFor(scenario.input.type));
  const source = new RequestSource(createServiceFeeder(scenario, opts.seed, seeds), scenario.service.request);
  const durationMs = opts.durationMs ?? scenario.service.durationMs;
  const findings: Finding[] = [];
  let fatal: string | null = null;
  let stack: ServiceStack | null = null;
  let phase: LoadPhaseResult | null = null;
  let breakingPoint: BreakingPointResult | null = null;
  let phaseOffsetMs = 0;
  let chaos: ChaosInForce | undefined;
  let tracer: ServiceTracer | null = null;
  try {
    // `--trace`: the service's stacks over the load phase (harness/trace/service-trace.ts); it never fails the run.
    const trace = opts.trace;
    if (trace && trace.mode !== 'off' && !opts.signal?.aborted) {
      tracer = await ServiceTracer.prepare(scenario, { mode: trace.mode, hz: trace.hz, pathRoot: cwd, ...(trace.env ? { env: trace.env } : {}), ...(trace.log ? { log: trace.log } : {}) }).catch(() => null);
    }
    stack = await startServiceStack(scenario, { seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}), ...(tracer ? { serviceEnv: tracer.serviceEnv } : {}) });
    const running = stack;
    // Snapshot the suspects the moment a process dies, before the load loop forgets them.
    const crash = running.died.then((death) => ({ death, suspects: source.suspectInputs(), offsetMs: performance.now() - started }));
    phaseOffsetMs = performance.now() - started;
    chaos = chaosInForce(running);
    const load = (onSettled?: LoadPhaseOptions['onSettled']): Promise<LoadPhaseResult> => runLoadPhase({
      ...(onSettled ? { onSettled } : {}),
      origin: running.origin,
      rate: scenario.service.rate,
      connections: scenario.service.connections,
      timeoutMs: scenario.timeoutMs,
      durationMs,
      source,
      ...(opts.signal ? { signal: opts.signal } : {}),
      died: running.died,
      timelineWindowMs: TIMELINE_WINDOW_MS,
    });
    phase = tracer ? await tracer.around(running.service.pid, load) : await load();
    const measured = phase.corrected.totalCount;
    opts.onProgress?.({ scenario: scenario.name, elapsedMs: performance.now() - started, calls: measured, callsPerSecond: phase.load.achievedRate, p99Ms: summary(phase.corrected).p99Ms, findings: 0, restarts: 0 });
    if (running.death() === null && scenario.breakingPoint && !opts.signal?.aborted) {
      const bpStart = performance.now() - started;
      const knob = scenario.breakingPoint.knob;
      const onStep = (point: CurvePoint): void => {
        opts.onProgress?.({ scenario: scenario.name, elapsedMs: performance.now() - started, calls: measured, callsPerSecond: phase?.load.achievedRate ?? 0, p99Ms: point.p99Ms, findings: 0, restarts: 0 });
        opts.onBreakingPointStep?.({ scenario: scenario.name, knob, point });
      };
      breakingPoint = await runServiceBreakingPoint({ scenario, stack: running, source, onStep, ...(opts.signal ? { signal: opts.signal } : {}) });
      chaos?.faultWindows.push({ startMs: bpStart, endMs: performance.now() - started, label: `breaking-point search over ${scenario.breakingPoint.knob}` });
    }
    if (running.death() !== null) {
      const c = await crash;
      const finding = await saveCrashFinding({ scenario, death: c.death, suspects: c.suspects, seed: opts.seed, engine: source.engine, cwd, cliName, offsetMs: c.offsetMs });
      findings.push(finding);
      opts.onFinding?.(finding);
    }
  } catch (error) {
    // A start-up cut short by Ctrl-C is an interrupt, not a broken service.
    if (!opts.signal?.aborted) fatal = (error as Error).message;
  } finally {
    await stack?.stop();
    await tracer?.cleanup();
  }
  const serviceStacks = phase && tracer ? tracer.result() : undefined;
  return assemble({ scenario, opts, cwd, started, seeds: seeds.length, durationMs, stack, phase, findings, fatal, breakingPoint, phaseOffsetMs, chaos, engine: source.engine, serviceStacks });
}

interface AssembleInput {
  scenario: ResolvedServiceScenario;
  opts: RunScenarioOptions;
  cwd: string;
  started: number;
  seeds: number;
  durationMs: number;
  stack: ServiceStack | null;
  phase: LoadPhaseResult | null;
  findings: Finding[];
  fatal: string | null;
  breakingPoint: BreakingPointResult | null;
  phaseOffsetMs: number;
  chaos: ChaosInForce | undefined;
  engine: string;
  serviceStacks?: ServiceStacks | undefined;
}

function assemble(x: AssembleInput): ScenarioResult {
  const { scenario, phase } = x;
  const histogram = phase?.corrected ?? createLatencyHistogram();
  const interrupted = x.opts.signal?.aborted ?? false;
  const status: CompletionStatus = x.fatal ? 'error' : interrupted ? 'interrupted' : 'complete';
  const slos = scenario.slo.thresholds.map((t) => sloVerdict(histogram, t.metric, t.thresholdMs));
  const elapsedMs = performance.now() - x.started;
  const chaos = x.chaos;
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description ?? null,
    file: relativeToCwd(x.cwd, scenario.file),
    seed: x.opts.seed,
    // Service requests come from the in-process feeder (no coverage reaches another process):
    // only an explicit Jazzer request is a fallback worth flagging.
    engine: { requested: scenario.engine === 'jazzer' ? 'jazzer' : x.engine, used: x.engine, note: 'HTTP service: requests built in-process from the input feeder' },
    input: { type: scenario.input.type, maxLength: scenario.input.maxLength, corpusDir: relativeToCwd(x.cwd, scenario.input.corpusDir), seeds: x.seeds },
    timeoutMs: scenario.timeoutMs,
    budget: { durationMs: x.durationMs, calls: null },
    status,
    statusReason: x.fatal ?? (interrupted ? 'interrupted by signal' : null),
    durationMs: elapsedMs,
    calls: histogram.totalCount,
    callsPerSecond: phase ? phase.load.achievedRate : 0,
    restarts: 0,
    latency: summarizeLatency(histogram),
    slos,
    verdict: overallVerdict(slos, x.findings.length),
    findings: x.findings,
    perCallBudgetMs: scenario.slo.perCallMs,
    ...(x.breakingPoint ? { breakingPoint: x.breakingPoint } : {}),
    ...(chaos ? { chaos } : {}),
    ...(phase ? { timeline: timeline(phase, x.phaseOffsetMs) } : {}),
    ...(phase && x.stack ? { service: { ...serviceStats(scenario, x.stack, phase), ...(x.serviceStacks ? { stacks: x.serviceStacks } : {}) } } : {}),
  };
  histogram.destroy();
  phase?.uncorrected.destroy();
  return result;
}

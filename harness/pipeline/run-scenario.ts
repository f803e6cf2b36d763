/**
 * Runs one scenario: starts its isolate, gathers cumulative histogram snapshots across
 * worker restarts, saves findings to the corpus as they arrive, and turns the
 * measurements into verdicts. Owns time and processes; the statistics live in measure/.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CorpusStore, contentId } from '../engine/corpus.ts';
import { encodingFor } from '../engine/feeders.ts';
import { explore, type ExploreOutcome } from '../drivers/isolate/explore.ts';
import { InterestingSink } from '../engine/interesting.ts';
import { planFuzzPhases, recordFallback } from '../engine/select.ts';
import { hexPreview, previewInput } from '../engine/input-preview.ts';
import { createLatencyHistogram, decodeHistogram, msToUs, summarizeLatency, type Histogram } from '../measure/histogram.ts';
import { applyStallRule, overallVerdict, sloVerdict, stallSummary } from '../measure/verdict.ts';
import { pacedSummary } from '../measure/paced.ts';
import { recordLostWrite } from '../core/write-failures.ts';
import { UsageError } from '../scenario/load.ts';
import type { CompletionStatus, Finding, FindingKind, ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import { runTracePhase, type TracePhaseOptions } from './trace-phase.ts';
import { loadTimeoutOf, startIsolate, type IsolateExit } from '../drivers/isolate/isolate.ts';
import { minimiseScenarioFindings } from './minimise.ts';
import type { FindingMessage, HostEvent } from '../drivers/isolate/protocol.ts';
import { ChaosLedger, chaosInForce } from '../chaos/chaos-ledger.ts';
import { startScenarioStress } from '../chaos/stress/scenario-stress.ts';
import { runBreakingPoint, scenarioChaos } from './breaking-point-runner.ts';
import { runServiceScenario } from './run-service.ts';
import type { CurvePoint } from '../search/breaking-point.ts';
import { relativeToCwd, shellQuote } from '../core/display-path.ts';

/** Hosts the measured phase may go through when targets kill them (each death is a crash finding). */
const MAX_MEASURE_HOSTS = 8;

/** One measured intensity of a breaking-point search. */
export interface BreakingPointStep {
  scenario: string;
  knob: string;
  point: CurvePoint;
}

export interface ScenarioProgress {
  scenario: string;
  elapsedMs: number;
  calls: number;
  callsPerSecond: number;
  p99Ms: number;
  findings: number;
  restarts: number;
}

export interface RunScenarioOptions {
  seed: number;
  /** Overrides the scenario's own duration budget. */
  durationMs?: number;
  calls?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: ScenarioProgress) => void;
  onFinding?: (finding: Finding) => void;
  /** Each measured step of a breaking-point search, as it completes (for progress output). */
  onBreakingPointStep?: (step: BreakingPointStep) => void;
  /** Working directory that paths in results and replay commands are relative to. */
  cwd?: string;
  /** How a user invokes the CLI, for replay commands. */
  cliName?: string;
  /** Trace phase (pipeline/trace-phase.ts): stacks of the worst violations; absent = no tracing. */
  trace?: TracePhaseOptions;
}

/** Snapshots are cumulative per worker: keep the latest per generation and merge at the end. */
class SnapshotLedger {
  private readonly latest = new Map<number, string>();
  /** Raw call times of a paced loop (slo.rate), per generation; `latest` then holds corrected latencies. */
  private readonly latestRaw = new Map<number, string>();
  private readonly calls = new Map<number, number>();
  private readonly extra = createLatencyHistogram();

  record(generation: number, histogram: string, calls: number, raw?: string): void {
    this.latest.set(generation, histogram);
    this.calls.set(generation, calls);
    if (raw !== undefined) this.latestRaw.set(generation, raw);
  }
  /** Calls that never returned (hangs, crashes) are measured by the watchdog instead. */
  recordOutside(latencyMs: number): void {
    this.extra.recordValue(msToUs(latencyMs));
  }
  totalCalls(): number {
    let n = this.extra.totalCount;
    for (const c of this.calls.values()) n += c;
    return n;
  }
  merged(): Histogram {
    return this.mergeOf(this.latest);
  }
  /** Raw call times of a paced loop, with the watchdog's measures; null when the loop was not paced. */
  mergedRaw(): Histogram | null {
    return this.latestRaw.size > 0 ? this.mergeOf(this.latestRaw) : null;
  }
  private mergeOf(snapshots: Map<number, string>): Histogram {
    const out = createLatencyHistogram();
    out.add(this.extra);
    for (const encoded of snapshots.values()) {
      const h = decodeHistogram(encoded);
      out.add(h);
      h.destroy();
    }
    return out;
  }
  destroy(): void {
    this.extra.destroy();
  }
}

export async function runScenario(scenario: ResolvedScenario, opts: RunScenarioOptions): Promise<ScenarioResult> {
  // HTTP service targets run in this process around real child processes (pipeline/run-service.ts).
  if (scenario.kind === 'service') return runServiceScenario(scenario, opts);
  const cwd = opts.cwd ?? process.cwd();
  const cli = opts.cliName ?? 'npx slo-harness';
  const corpus = new CorpusStore(scenario.input.corpusDir);
  const encoding = encodingFor(scenario.input.type);
  const seeds = await corpus.loadSeeds(encoding);
  const durationMs = opts.durationMs ?? scenario.budget.durationMs;
  const calls = opts.calls !== undefined ? opts.calls : scenario.budget.calls;
  // Explore (instrumented, chosen engine) then measure (uninstrumented, decides the SLO): engine/phases.ts.
  const { selection, plan } = await planFuzzPhases(scenario.engine, { durationMs, calls });
  recordFallback(selection.fallback);
  const interesting = new InterestingSink(corpus, seeds);
  const ledger = new SnapshotLedger();
  const chaosLedger = new ChaosLedger(); // injected dependency delay per call (chaos/chaos-ledger.ts)
  const findings = new Map<string, Finding>();
  const pendingSaves: Promise<void>[] = [];
  let generation = 0;
  let restarts = 0;
  let engine: string = selection.used;
  let fatal: string | null = null;
  let lastP99 = 0;
  /** Stalled time (SnapshotMessage.stalledMs) of the current host, and of the hosts before it. */
  let hostStalledMs = 0;
  let stalledBeforeMs = 0;
  const started = performance.now();

  const saveFinding = (msg: FindingMessage): void => {
    interesting.exclude(msg.input);
    const id = contentId(msg.input);
    const known = findings.get(id);
    if (known) {
      known.occurrences++;
      known.latencyMs = Math.max(known.latencyMs, msg.latencyMs);
      return;
    }
    const kind: FindingKind = msg.kind;
    const finding: Finding = {
      id,
      kind,
      latencyMs: msg.latencyMs,
      budgetMs: kind === 'timeout' ? scenario.timeoutMs : scenario.slo.perCallMs,
      ...(msg.injectedMs !== undefined ? { injectedMs: msg.injectedMs } : {}),
      message: msg.message,
      stack: msg.stack,
      input: {
        encoding,
        size: msg.input.length,
        preview: previewInput(msg.input, encoding),
        hexPreview: hexPreview(msg.input),
        file: relativeToCwd(cwd, path.join(corpus.violationsDir, `${id}.input`)),
      },
      metaFile: relativeToCwd(cwd, path.join(corpus.violationsDir, `${id}.json`)),
      replay: '',
      firstSeenAt: new Date().toISOString(),
      occurrences: 1,
    };
    finding.replay = `${cli} replay ${shellQuote(finding.metaFile)}`;
    findings.set(id, finding);
    opts.onFinding?.(finding);
    pendingSaves.push(
      corpus
        .saveViolation(msg.input, {
          scenario: scenario.name,
          scenarioFile: path.relative(corpus.violationsDir, scenario.file),
          scenarioIndex: scenario.index,
          kind,
          latencyMs: msg.latencyMs,
          budgetMs: finding.budgetMs,
          timeoutMs: scenario.timeoutMs,
          seed: opts.seed,
          engine,
          encoding,
          message: msg.message,
          stack: msg.stack,
          foundAt: finding.firstSeenAt,
          replay: finding.replay,
        })
        .then(() => undefined)
        // A full or read-only disk loses this file, not the run: the CLI names what was lost.
        .catch((error: unknown) => recordLostWrite('finding', `finding ${id} (${kind}) of scenario ${scenario.name}`, error)),
    );
  };

  const onEvent = (event: HostEvent): void => {
    switch (event.type) {
      case 'ready':
        engine = event.engine;
        break;
      case 'snapshot': {
        ledger.record(generation, event.histogram, event.calls, event.rawHistogram);
        // Cumulative per host: the hosts before this one add their final totals.
        if (event.stalledMs !== undefined) hostStalledMs = event.stalledMs;
        chaosLedger.record(generation, event.chaos);
        const h = decodeHistogram(event.histogram);
        lastP99 = h.totalCount > 0 ? h.getValueAtPercentile(99) / 1000 : lastP99;
        h.destroy();
        const elapsedMs = performance.now() - started;
        const total = ledger.totalCalls();
        opts.onProgress?.({
          scenario: scenario.name,
          elapsedMs,
          calls: total,
          callsPerSecond: total / Math.max(elapsedMs / 1000, 1e-3),
          p99Ms: lastP99,
          findings: findings.size,
          restarts,
        });
        break;
      }
      case 'finding':
        // Hangs and crashes never reached the loop's histogram: the watchdog's measure stands in.
        // (Timeouts the host counted in the histogram itself are not counted twice.)
        if (event.kind !== 'slow' && event.kind !== 'error' && event.latencyMs > 0 && !event.counted) ledger.recordOutside(event.latencyMs);
        saveFinding(event);
        break;
      case 'restart':
        generation = event.generation;
        restarts++;
        break;
      case 'fatal':
        fatal = event.message;
        break;
      case 'interesting':
        interesting.add(event.inputs);
        break;
      default:
        break;
    }
  };

  let exploration: ExploreOutcome | null = null;
  const exploredBad: Uint8Array[] = [];
  if (plan.explore && !opts.signal?.aborted) {
    exploration = await explore({
      scenario,
      seed: opts.seed,
      budget: plan.explore,
      engine: selection.used,
      seeds,
      sink: interesting,
      ...(opts.signal ? { signal: opts.signal } : {}),
      // Progress while exploring: calls are the instrumented ones (never part of the SLO's).
      onCalls: (exploreCalls) => {
        const elapsedMs = performance.now() - started;
        opts.onProgress?.({ scenario: `${scenario.name} (exploring: ${selection.used})`, elapsedMs, calls: exploreCalls, callsPerSecond: exploreCalls / Math.max(elapsedMs / 1000, 1e-3), p99Ms: 0, findings: findings.size, restarts });
      },
      onFinding: (finding) => {
        // Inputs that hung or crashed while exploring are findings already: the measured phase skips them.
        if (finding.kind !== 'slow' && finding.kind !== 'error' && exploredBad.length < 256) exploredBad.push(finding.input);
        saveFinding(finding);
      },
    });
  }
  // A worker that never finished loading the module while exploring: a configuration error (exit 2).
  const exploreLoadTimeout = loadTimeoutOf(scenario.file);
  if (exploreLoadTimeout) throw new UsageError(exploreLoadTimeout);
  const measureStarted = performance.now();
  // CPU stress (scenario chaos.cpu) for the measured phase only; stopped when its isolate exits.
  const cpuChaos = scenarioChaos(scenario)?.cpu;
  const cpuStress = cpuChaos && !opts.signal?.aborted ? await startScenarioStress(cpuChaos, plan.measure.durationMs + scenario.timeoutMs + 5000) : null;

  // A host killed by its target (crash recovered by isolate.ts) is replaced for the rest of the budget.
  let interrupted = false;
  let exit: IsolateExit | null = null;
  let recordEveryInput = false;
  for (let hosts = 0; hosts < MAX_MEASURE_HOSTS; hosts++) {
    const remainingMs = plan.measure.durationMs - (performance.now() - measureStarted);
    if (hosts > 0 && (remainingMs <= 0 || interrupted || opts.signal?.aborted)) break;
    const isolate = startIsolate(
      {
        scenario,
        seed: opts.seed,
        mode: { kind: 'fuzz', durationMs: Math.max(0, remainingMs), calls: plan.measure.calls },
        // What exploration kept is replayed first, then the cost-guided engine takes over.
        seeds: [...seeds, ...interesting.keptInputs()],
        confirmRepeats: 2,
        snapshotIntervalMs: 250,
        generation,
        avoid: exploredBad,
        phase: 'measure',
        ...(recordEveryInput ? { recordEveryInput } : {}),
      },
      { onEvent },
    );
    const onAbort = (): void => {
      interrupted = true;
      isolate.stop();
      // A target stuck in native code cannot finish its call: do not wait for it forever.
      setTimeout(() => isolate.kill(), scenario.timeoutMs + 3000).unref();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    exit = await isolate.exited;
    opts.signal?.removeEventListener('abort', onAbort);
    stalledBeforeMs += hostStalledMs;
    hostStalledMs = 0;
    if (exit.fatal?.loadTimeout) throw new UsageError(exit.fatal.message);
    if (!exit.crash) break;
    // The next host gets fresh generations (input streams) and skips the input that killed.
    generation++;
    restarts++;
    if (exit.crash.finding.input.length > 0 && exploredBad.length < 256) exploredBad.push(exit.crash.finding.input);
    recordEveryInput ||= !exit.crash.inputKnown;
  }
  await cpuStress?.stop();
  await Promise.all(pendingSaves);
  await interesting.flush();
  const stalledMs = stalledBeforeMs + hostStalledMs;

  if (!fatal && exit && !exit.crash && exit.code !== 0 && !interrupted) {
    fatal = exit.killedForSilence
      ? 'the isolate host stopped responding and was killed'
      : `the isolate host exited with ${exit.signal ?? `code ${exit.code}`}${exit.outputTail ? `; last output: ${exit.outputTail.slice(-500)}` : ''}`;
  }
  const histogram = ledger.merged();
  const rawHistogram = ledger.mergedRaw();
  ledger.destroy();
  const rate = scenario.slo.rate;
  const paced = rate !== undefined ? pacedSummary(rate, histogram, rawHistogram) : null;
  rawHistogram?.destroy();
  const status: CompletionStatus = fatal ? 'error' : interrupted ? 'interrupted' : 'complete';
  const measuredWallMs = performance.now() - measureStarted;
  const stall = stallSummary(stalledMs, measuredWallMs);
  // Over 1% of the phase in hung calls: no SLO may PASS on the calls that did return (measure/stall.ts).
  const slos = applyStallRule(
    scenario.slo.thresholds.map((t) => sloVerdict(histogram, t.metric, t.thresholdMs)),
    histogram,
    { stalledMs, phaseWallMs: measuredWallMs, timeoutMs: scenario.timeoutMs, ...(rate !== undefined ? { callsPerMs: rate / 1000 } : {}) },
  );
  const findingList = [...findings.values()];
  const elapsedMs = performance.now() - started;
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description ?? null,
    file: relativeToCwd(cwd, scenario.file),
    seed: opts.seed,
    engine: { requested: selection.requested, used: selection.used, note: selection.note },
    input: { type: scenario.input.type, maxLength: scenario.input.maxLength, corpusDir: relativeToCwd(cwd, scenario.input.corpusDir), seeds: seeds.length },
    timeoutMs: scenario.timeoutMs,
    budget: { durationMs, calls },
    status,
    statusReason: fatal ?? (interrupted ? 'interrupted by signal' : null),
    durationMs: elapsedMs,
    calls: histogram.totalCount,
    // Measured calls over the measured phase's own time (exploration has its own rate below).
    callsPerSecond: histogram.totalCount / Math.max((performance.now() - measureStarted) / 1000, 1e-3),
    restarts,
    latency: summarizeLatency(histogram),
    slos,
    verdict: overallVerdict(slos, findingList.length),
    findings: findingList,
    perCallBudgetMs: scenario.slo.perCallMs,
    ...(exploration ? { exploration: exploration.summary } : {}),
    ...(stall ? { stall } : {}),
    ...(paced ? { paced } : {}),
  };
  histogram.destroy();
  // Confirm slow findings with first calls in a probe isolate, shrink them toward the
  // per-call budget and fit their growth (pipeline/minimise.ts); unconfirmed ones are dropped.
  const minimisation = !fatal && !interrupted ? await minimiseScenarioFindings(scenario, findings, { seed: opts.seed, corpus, encoding, durationMs, seeds, cwd, cli, ...(opts.signal ? { signal: opts.signal } : {}) }) : undefined;
  if (minimisation) {
    result.minimisation = minimisation;
    result.findings = [...findings.values()];
    result.verdict = overallVerdict(slos, result.findings.length);
  }
  // Trace phase (pipeline/trace-phase.ts), after minimisation: sets the traced findings' `stacks` in place.
  if (opts.trace && !fatal && !interrupted) {
    await runTracePhase({ scenario, findings: result.findings, seeds, seed: opts.seed, cwd, ...(opts.signal ? { signal: opts.signal } : {}) }, opts.trace);
  }
  // Chaos in force and injected delay per call; then the breaking-point search, after the measured phase, on its own budget.
  const chaos = chaosInForce(scenarioChaos(scenario), cpuStress?.info ?? null, chaosLedger.summary());
  if (chaos) result.chaos = chaos;
  if ('breakingPoint' in scenario && scenario.breakingPoint && scenario.kind === 'function' && !fatal && !interrupted && !opts.signal?.aborted) {
    const knob = scenario.breakingPoint.knob;
    const onStep = (point: CurvePoint): void => opts.onBreakingPointStep?.({ scenario: scenario.name, knob, point });
    const found = await runBreakingPoint(scenario, { seed: opts.seed, seeds, onStep, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (found) result.breakingPoint = found;
  }
  return result;
}

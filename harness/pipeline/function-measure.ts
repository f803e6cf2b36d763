/**
 * The explore and measured phases of a function target. Exploring (instrumented, the chosen
 * engine) finds costly inputs; measuring (uninstrumented, in the isolate host) decides the
 * SLO: cumulative histogram snapshots are gathered across worker restarts, and a host
 * killed by its target is replaced for the rest of the budget (each death is a finding).
 */
import { performance } from 'node:perf_hooks';
import { explore } from '../drivers/isolate/explore.ts';
import { decodeHistogram } from '../measure/histogram.ts';
import { CHAOS_KINDS } from '../chaos/registry.ts';
import { UsageError } from '../scenario/load.ts';
import { IsolateDriver, loadTimeoutOf, type IsolateListener, type IsolateTargetExit } from '../drivers/isolate/driver.ts';
import type { FunctionRun } from './function-run.ts';

/** Hosts the measured phase may go through when targets kill them (each death is a crash finding). */
const MAX_MEASURE_HOSTS = 8;
/** Inputs the measured phase is told to skip, at most. */
const MAX_AVOIDED = 256;

export async function explorePhase(run: FunctionRun): Promise<void> {
  const { scenario, setup } = run;
  if (setup.plan.explore && !run.aborted) {
    run.exploration = await explore({
      scenario,
      seed: run.opts.seed,
      budget: setup.plan.explore,
      engine: setup.selection.used,
      seeds: setup.seeds,
      sink: run.interesting,
      ...run.signalOption(),
      // Progress while exploring: calls are the instrumented ones (never part of the SLO's).
      onCalls: (exploreCalls) => run.progress(exploreCalls, 0, `${scenario.name} (exploring: ${setup.selection.used})`),
      onFinding: (finding) => {
        // Inputs that hung or crashed while exploring are findings already: the measured phase skips them.
        if (finding.kind !== 'slow' && finding.kind !== 'error' && run.exploredBad.length < MAX_AVOIDED) run.exploredBad.push(finding.input);
        run.findings.save(finding);
      },
    });
  }
  // A worker that never finished loading the module while exploring: a configuration error (exit 2).
  const exploreLoadTimeout = loadTimeoutOf(scenario.file);
  if (exploreLoadTimeout) throw new UsageError(exploreLoadTimeout);
}

export async function measurePhase(run: FunctionRun): Promise<void> {
  run.measureStarted = performance.now();
  // CPU stress (scenario chaos.cpu) for the measured phase only.
  const cpuChaos = run.scenario.chaos?.cpu;
  run.cpuStress = cpuChaos && !run.aborted ? await CHAOS_KINDS.cpu.lifecycle.start(cpuChaos, run.setup.plan.measure.durationMs + run.scenario.timeoutMs + 5000) : null;
  try {
    await measureWithHosts(run);
  } finally {
    await run.cpuStress?.stop();
  }
  await run.findings.settled();
  await run.interesting.flush();
}

/** A host killed by its target (crash recovered by the driver) is replaced for the rest of the budget. */
async function measureWithHosts(run: FunctionRun): Promise<void> {
  const driver = new IsolateDriver({ scenario: run.scenario, seed: run.opts.seed });
  const listener = measureListener(run);
  let recordEveryInput = false;
  for (let hosts = 0; hosts < MAX_MEASURE_HOSTS; hosts++) {
    const remainingMs = run.setup.plan.measure.durationMs - (performance.now() - run.measureStarted);
    if (hosts > 0 && (remainingMs <= 0 || run.interrupted || run.aborted)) break;
    const exit = await measureOneHost(run, driver, { remainingMs, recordEveryInput }, listener);
    run.exit = exit;
    run.stalledBeforeMs += run.hostStalledMs;
    run.hostStalledMs = 0;
    // The target reported a fatal error (it failed to load, or crashed too often to go on).
    if (exit.reason === 'failed') run.fatal = exit.message;
    if (exit.loadTimeout) throw new UsageError(exit.message ?? 'the scenario module never finished loading');
    if (!exit.crash) break;
    // The next host gets fresh generations (input streams) and skips the input that killed.
    run.generation++;
    run.restarts++;
    if (exit.crash.finding.input.length > 0 && run.exploredBad.length < MAX_AVOIDED) run.exploredBad.push(exit.crash.finding.input);
    recordEveryInput ||= !exit.crash.inputKnown;
  }
}

async function measureOneHost(run: FunctionRun, driver: IsolateDriver, host: { remainingMs: number; recordEveryInput: boolean }, listener: IsolateListener): Promise<IsolateTargetExit> {
  const { scenario, setup } = run;
  const running = driver.measure(
    {
      durationMs: Math.max(0, host.remainingMs),
      calls: setup.plan.measure.calls,
      // What exploration kept is replayed first, then the cost-guided engine takes over.
      seeds: [...setup.seeds, ...run.interesting.keptInputs()],
      confirmRepeats: 2,
      snapshotIntervalMs: 250,
      generation: run.generation,
      avoid: run.exploredBad,
      phase: 'measure',
      recordEveryInput: host.recordEveryInput,
    },
    listener,
  );
  const onAbort = (): void => {
    run.interrupted = true;
    running.stop();
    // A target stuck in native code cannot finish its call: do not wait for it forever.
    setTimeout(() => running.kill(), scenario.timeoutMs + 3000).unref();
  };
  const signal = run.opts.signal;
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await running.exited;
  signal?.removeEventListener('abort', onAbort);
  return exit;
}

/** What the measured phase records from the driver: the SLO's snapshots, findings, restarts and kept inputs. */
function measureListener(run: FunctionRun): IsolateListener {
  return {
    onReady: (ready) => {
      run.engine = ready.engine;
    },
    onSnapshot: (snapshot, generation) => {
      run.ledger.record(generation, snapshot.histogram, snapshot.calls, snapshot.rawHistogram);
      // Cumulative per host: the hosts before this one add their final totals.
      if (snapshot.stalledMs !== undefined) run.hostStalledMs = snapshot.stalledMs;
      run.chaosLedger.record(generation, snapshot.chaos);
      const h = decodeHistogram(snapshot.histogram);
      run.lastP99 = h.totalCount > 0 ? h.getValueAtPercentile(99) / 1000 : run.lastP99;
      h.destroy();
      run.progress(run.ledger.totalCalls(), run.lastP99);
    },
    onFinding: (finding) => {
      // Hangs and crashes never reached the loop's histogram: the watchdog's measure stands in.
      // (Timeouts the host counted in the histogram itself are not counted twice.)
      if (finding.kind !== 'slow' && finding.kind !== 'error' && finding.latencyMs > 0 && !finding.counted) run.ledger.recordOutside(finding.latencyMs);
      run.findings.save(finding);
    },
    onRestart: (generation) => {
      run.generation = generation;
      run.restarts++;
    },
    onKept: (inputs) => run.interesting.add(inputs),
  };
}

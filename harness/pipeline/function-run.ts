/**
 * The state of one function-target run (a scenario whose target runs in the isolate host):
 * what its phases share, prepared before the clock starts (corpus seeds, engine choice and
 * the explore/measure budget split: engine/select.ts).
 */
import { CorpusStore } from '../engine/corpus.ts';
import { encodingFor, type InputEncoding } from '../engine/feeders.ts';
import type { ExploreOutcome } from '../drivers/isolate/explore.ts';
import { InterestingSink } from '../engine/interesting.ts';
import { planFuzzPhases, recordFallback } from '../engine/select.ts';
import { ChaosLedger } from '../chaos/chaos-ledger.ts';
import type { ScenarioStress } from '../chaos/stress/scenario-stress.ts';
import type { ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedFunctionScenario } from '../scenario/types.ts';
import type { IsolateTargetExit } from '../drivers/isolate/driver.ts';
import { FunctionFindings } from './function-findings.ts';
import type { RunScenarioOptions } from './options.ts';
import { RunState } from './phases.ts';
import { SnapshotLedger } from './snapshot-ledger.ts';

type FuzzPlan = Awaited<ReturnType<typeof planFuzzPhases>>;

/** What a function run knows before its clock starts. */
export interface FunctionRunSetup {
  scenario: ResolvedFunctionScenario;
  corpus: CorpusStore;
  encoding: InputEncoding;
  seeds: Uint8Array[];
  durationMs: number;
  calls: number | null;
  selection: FuzzPlan['selection'];
  plan: FuzzPlan['plan'];
}

export async function prepareFunctionRun(scenario: ResolvedFunctionScenario, opts: RunScenarioOptions): Promise<FunctionRun> {
  const corpus = new CorpusStore(scenario.input.corpusDir);
  const encoding = encodingFor(scenario.input.type);
  const seeds = await corpus.loadSeeds(encoding);
  const durationMs = opts.durationMs ?? scenario.budget.durationMs;
  const calls = opts.calls !== undefined ? opts.calls : scenario.budget.calls;
  // Explore (instrumented, chosen engine) then measure (uninstrumented, decides the SLO): engine/phases.ts.
  const { selection, plan } = await planFuzzPhases(scenario.engine, { durationMs, calls });
  recordFallback(selection.fallback);
  return new FunctionRun({ scenario, corpus, encoding, seeds, durationMs, calls, selection, plan }, opts);
}

export class FunctionRun extends RunState {
  readonly scenario: ResolvedFunctionScenario;
  readonly setup: FunctionRunSetup;
  readonly interesting: InterestingSink;
  readonly ledger = new SnapshotLedger();
  /** Injected dependency delay per call (chaos/chaos-ledger.ts). */
  readonly chaosLedger = new ChaosLedger();
  readonly findings: FunctionFindings;
  /** The engine that runs the measured phase (the isolate names it when ready). */
  engine: string;
  generation = 0;
  restarts = 0;
  lastP99 = 0;
  /** Stalled time (SnapshotMessage.stalledMs) of the current host, and of the hosts before it. */
  hostStalledMs = 0;
  stalledBeforeMs = 0;
  exploration: ExploreOutcome | null = null;
  /** Inputs that hung or crashed already: the measured phase skips them. */
  readonly exploredBad: Uint8Array[] = [];
  measureStarted = 0;
  cpuStress: ScenarioStress | null = null;
  /** How the last measuring host ended. */
  exit: IsolateTargetExit | null = null;
  /** Set by the verdict phase; the later phases add to it. */
  result: ScenarioResult | null = null;

  constructor(setup: FunctionRunSetup, opts: RunScenarioOptions) {
    super(opts);
    this.setup = setup;
    this.scenario = setup.scenario;
    this.engine = setup.selection.used;
    this.interesting = new InterestingSink(setup.corpus, setup.seeds);
    this.findings = new FunctionFindings({
      scenario: setup.scenario,
      corpus: setup.corpus,
      encoding: setup.encoding,
      interesting: this.interesting,
      seed: opts.seed,
      cwd: this.cwd,
      cli: this.cli,
      onFinding: opts.onFinding,
      engine: () => this.engine,
    });
  }

  /** Reports progress to the caller (`scenario` names the phase when it is not the measured one). */
  progress(calls: number, p99Ms: number, scenario = this.scenario.name): void {
    const elapsedMs = this.elapsedMs();
    this.opts.onProgress?.({ scenario, elapsedMs, calls, callsPerSecond: calls / Math.max(elapsedMs / 1000, 1e-3), p99Ms, findings: this.findings.size, restarts: this.restarts });
  }

  /** The result, once the verdict phase has built it. */
  built(): ScenarioResult {
    if (!this.result) throw new Error(`scenario ${this.scenario.name}: no result (the verdict phase did not run)`);
    return this.result;
  }
}

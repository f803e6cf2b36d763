/**
 * The one place a `ScenarioResult` (results.json) is assembled: function targets, HTTP
 * services and regression replays give what they measured, and the fields they share
 * (the scenario's identity, latency summary, budget) are derived here, in results.json's order.
 */
import type { CompletionStatus, Finding, ScenarioResult, SloResult, Verdict } from '../core/results-schema.ts';
import { summarizeLatency, type Histogram } from '../measure/histogram.ts';
import type { ResolvedScenarioBase } from '../scenario/types.ts';
import { relativeToCwd } from '../core/display-path.ts';

/** How a run ended, from its fatal error (if any) and whether it was interrupted. */
export function completion(fatal: string | null, interrupted: boolean): { status: CompletionStatus; statusReason: string | null } {
  return { status: fatal ? 'error' : interrupted ? 'interrupted' : 'complete', statusReason: fatal ?? (interrupted ? 'interrupted by signal' : null) };
}

export interface ScenarioMeasured {
  cwd: string;
  seed: number;
  engine: ScenarioResult['engine'];
  /** Corpus seeds the run started from. */
  seeds: number;
  budget: ScenarioResult['budget'];
  status: CompletionStatus;
  statusReason: string | null;
  durationMs: number;
  /** The measured calls (the histogram is only read: the caller destroys it). */
  histogram: Histogram;
  callsPerSecond: number;
  restarts: number;
  slos: SloResult[];
  verdict: Verdict;
  findings: Finding[];
}

/** The result; `extra` (exploration, chaos, service, ...) follows the common fields in the order given. */
export function buildScenarioResult(scenario: ResolvedScenarioBase, m: ScenarioMeasured, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name: scenario.name,
    description: scenario.description ?? null,
    file: relativeToCwd(m.cwd, scenario.file),
    seed: m.seed,
    engine: m.engine,
    input: { type: scenario.input.type, maxLength: scenario.input.maxLength, corpusDir: relativeToCwd(m.cwd, scenario.input.corpusDir), seeds: m.seeds },
    timeoutMs: scenario.timeoutMs,
    budget: m.budget,
    status: m.status,
    statusReason: m.statusReason,
    durationMs: m.durationMs,
    calls: m.histogram.totalCount,
    callsPerSecond: m.callsPerSecond,
    restarts: m.restarts,
    latency: summarizeLatency(m.histogram),
    slos: m.slos,
    verdict: m.verdict,
    findings: m.findings,
    perCallBudgetMs: scenario.slo.perCallMs,
    ...extra,
  };
}

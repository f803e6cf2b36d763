/**
 * results.json: the comparison of a run against a baseline run (`run --baseline`;
 * results-schema.ts has the whole file).
 */
import type { FindingKind } from './results-findings.ts';
import type { SloResult, Verdict } from './results-slo.ts';

/** How one scenario x SLO moved against the baseline run. */
export type BaselineChange = 'regressed' | 'improved' | 'unchanged' | 'added' | 'removed';

/** One SLO's measurement in one run (for comparisons). */
export interface SloSnapshot {
  observedMs: number;
  lowerMs: number;
  upperMs: number;
  thresholdMs: number;
  sampleCount: number;
  verdict: Verdict;
}

export interface SloComparison {
  scenario: string;
  metric: SloResult['metric'];
  current: SloSnapshot | null;
  baseline: SloSnapshot | null;
  /** current - baseline observed value, ms; null when either side is missing. */
  deltaMs: number | null;
  /** (current - baseline) / baseline, e.g. 0.25 for +25%; null when either side is missing or baseline is 0. */
  deltaRatio: number | null;
  /** Whether the two confidence intervals overlap; null when either side is missing. */
  intervalsOverlap: boolean | null;
  /** `regressed`/`improved` only when the intervals do not overlap; `unchanged` means they overlap. */
  change: BaselineChange;
}

export interface FindingRef {
  scenario: string;
  id: string;
  kind: FindingKind;
  latencyMs: number;
}

export interface BaselineComparison {
  baselineRunId: string;
  baselineStartedAt: string;
  /** Path of the baseline results file as given, or null when compared in memory. */
  baselineFile: string | null;
  slos: SloComparison[];
  /** Findings in this run whose (scenario, id) is not in the baseline. */
  newFindings: FindingRef[];
  /** Findings of the baseline whose (scenario, id) is not in this run. */
  fixedFindings: FindingRef[];
  /** Findings present in both runs. */
  persistingFindings: number;
}

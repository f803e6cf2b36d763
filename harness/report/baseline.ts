/**
 * Comparison of a run against a previous one (`--baseline <results.json>`). A change in an
 * SLO's measured value only counts as a regression or an improvement when the two
 * confidence intervals do not overlap: overlapping intervals are indistinguishable noise
 * at the runs' sample sizes. Findings are matched by (scenario, content-hash id).
 */
import type {
  BaselineComparison, FindingRef, ResultsFile, ScenarioResult, SloComparison, SloResult, SloSnapshot,
} from '../core/results-schema.ts';

function snapshot(slo: SloResult): SloSnapshot {
  return {
    observedMs: slo.observedMs,
    lowerMs: slo.interval.lowerMs,
    upperMs: slo.interval.upperMs,
    thresholdMs: slo.thresholdMs,
    sampleCount: slo.sampleCount,
    verdict: slo.verdict,
  };
}

/** Closed intervals [a.lower, a.upper] and [b.lower, b.upper] share a point. */
export function intervalsOverlap(a: Pick<SloSnapshot, 'lowerMs' | 'upperMs'>, b: Pick<SloSnapshot, 'lowerMs' | 'upperMs'>): boolean {
  return a.lowerMs <= b.upperMs && b.lowerMs <= a.upperMs;
}

/** Compares one SLO's two measurements (either may be absent when a scenario or SLO was added or removed). */
export function compareSlo(scenario: string, metric: SloResult['metric'], current: SloResult | null, baseline: SloResult | null): SloComparison {
  const cur = current ? snapshot(current) : null;
  const base = baseline ? snapshot(baseline) : null;
  if (!cur || !base) {
    return { scenario, metric, current: cur, baseline: base, deltaMs: null, deltaRatio: null, intervalsOverlap: null, change: cur ? 'added' : 'removed' };
  }
  const deltaMs = cur.observedMs - base.observedMs;
  const overlap = intervalsOverlap(cur, base);
  // Without overlap, the intervals are disjoint, so comparing their positions decides direction.
  const change = overlap ? 'unchanged' : cur.lowerMs > base.upperMs ? 'regressed' : 'improved';
  return {
    scenario,
    metric,
    current: cur,
    baseline: base,
    deltaMs,
    deltaRatio: base.observedMs === 0 ? null : deltaMs / base.observedMs,
    intervalsOverlap: overlap,
    change,
  };
}

/**
 * SLOs keyed by metric and occurrence ("p99#0"), so a scenario with two p99 thresholds
 * pairs them in order, and a threshold change still compares the same metric.
 */
function slosByKey(scenario: ScenarioResult | undefined): Map<string, SloResult> {
  const map = new Map<string, SloResult>();
  const seen = new Map<string, number>();
  for (const slo of scenario?.slos ?? []) {
    const n = seen.get(slo.metric) ?? 0;
    seen.set(slo.metric, n + 1);
    map.set(`${slo.metric}#${n}`, slo);
  }
  return map;
}

function findingRefs(results: ResultsFile): Map<string, FindingRef> {
  const refs = new Map<string, FindingRef>();
  for (const s of results.scenarios) {
    for (const f of s.findings) refs.set(JSON.stringify([s.name, f.id]), { scenario: s.name, id: f.id, kind: f.kind, latencyMs: f.latencyMs });
  }
  return refs;
}

/** Pure comparison; `baselineFile` is recorded for display only. */
export function compareWithBaseline(current: ResultsFile, baseline: ResultsFile, baselineFile: string | null = null): BaselineComparison {
  const slos: SloComparison[] = [];
  const currentByName = new Map(current.scenarios.map((s) => [s.name, s]));
  const baselineByName = new Map(baseline.scenarios.map((s) => [s.name, s]));
  const names = [...currentByName.keys(), ...[...baselineByName.keys()].filter((n) => !currentByName.has(n))];
  for (const name of names) {
    const cur = slosByKey(currentByName.get(name));
    const base = slosByKey(baselineByName.get(name));
    const keys = [...cur.keys(), ...[...base.keys()].filter((k) => !cur.has(k))];
    for (const key of keys) {
      const c = cur.get(key) ?? null;
      const b = base.get(key) ?? null;
      slos.push(compareSlo(name, (c ?? b)!.metric, c, b));
    }
  }
  const curRefs = findingRefs(current);
  const baseRefs = findingRefs(baseline);
  return {
    baselineRunId: baseline.run.id,
    baselineStartedAt: baseline.run.startedAt,
    baselineFile,
    slos,
    newFindings: [...curRefs].filter(([k]) => !baseRefs.has(k)).map(([, v]) => v),
    fixedFindings: [...baseRefs].filter(([k]) => !curRefs.has(k)).map(([, v]) => v),
    persistingFindings: [...curRefs.keys()].filter((k) => baseRefs.has(k)).length,
  };
}

/** Whether the comparison shows anything a CI gate would care about. */
export function hasRegression(comparison: BaselineComparison): boolean {
  return comparison.slos.some((s) => s.change === 'regressed') || comparison.newFindings.length > 0;
}

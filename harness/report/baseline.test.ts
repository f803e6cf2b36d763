import { describe, expect, it } from 'vitest';
import { makeFinding, makeResultsFixture } from '../../test/report/fixtures.ts';
import { compareSlo, compareWithBaseline, hasRegression, intervalsOverlap } from './baseline.ts';
import type { ResultsFile, SloResult } from '../core/results-schema.ts';

function slo(observedMs: number, lowerMs: number, upperMs: number): SloResult {
  return {
    metric: 'p99', thresholdMs: 10, observedMs, sampleCount: 1000,
    interval: { confidence: 0.95, lowerMs, upperMs, lowerRank: 980, upperRank: 995 },
    verdict: 'PASS', samplesToDecide: null, explanation: '',
  };
}

describe('intervalsOverlap', () => {
  it('treats touching closed intervals as overlapping and disjoint ones as not', () => {
    expect(intervalsOverlap({ lowerMs: 1, upperMs: 2 }, { lowerMs: 2, upperMs: 3 })).toBe(true);
    expect(intervalsOverlap({ lowerMs: 1, upperMs: 2 }, { lowerMs: 2.01, upperMs: 3 })).toBe(false);
    expect(intervalsOverlap({ lowerMs: 0, upperMs: 10 }, { lowerMs: 4, upperMs: 5 })).toBe(true);
  });
});

describe('compareSlo', () => {
  it('calls a higher value with a disjoint interval a regression, with absolute and relative change', () => {
    const c = compareSlo('s', 'p99', slo(8, 7.5, 8.5), slo(5, 4.5, 5.5));
    expect(c.change).toBe('regressed');
    expect(c.intervalsOverlap).toBe(false);
    expect(c.deltaMs).toBeCloseTo(3);
    expect(c.deltaRatio).toBeCloseTo(0.6);
  });

  it('calls a lower value with a disjoint interval an improvement', () => {
    expect(compareSlo('s', 'p99', slo(5, 4.5, 5.5), slo(8, 7.5, 8.5)).change).toBe('improved');
  });

  it('calls overlapping intervals unchanged even when the point estimate moved', () => {
    const c = compareSlo('s', 'p99', slo(6, 4, 9), slo(5, 4.5, 5.5));
    expect(c.change).toBe('unchanged');
    expect(c.deltaMs).toBeCloseTo(1);
    expect(c.intervalsOverlap).toBe(true);
  });

  it('marks SLOs present on one side only as added or removed', () => {
    expect(compareSlo('s', 'p99', slo(5, 4, 6), null)).toMatchObject({ change: 'added', deltaMs: null, intervalsOverlap: null });
    expect(compareSlo('s', 'p99', null, slo(5, 4, 6))).toMatchObject({ change: 'removed', deltaRatio: null });
  });
});

describe('compareWithBaseline', () => {
  const current = makeResultsFixture({ calls: 5000 });

  function shiftedBaseline(): ResultsFile {
    const base = structuredClone(current);
    const first = base.scenarios[0]!;
    const p99 = first.slos[0]!;
    // The baseline's p99 was far lower: the current run regressed.
    p99.observedMs /= 3;
    p99.interval.lowerMs /= 3;
    p99.interval.upperMs /= 3;
    first.findings = [first.findings[1]!, makeFinding({ id: 'fixed-one' })];
    base.scenarios.pop();
    base.run.id = 'baseline-run';
    return base;
  }

  it('pairs SLOs by scenario and metric and finds new, fixed and persisting findings', () => {
    const cmp = compareWithBaseline(current, shiftedBaseline(), 'prev/results.json');
    expect(cmp.baselineRunId).toBe('baseline-run');
    expect(cmp.baselineFile).toBe('prev/results.json');
    const p99 = cmp.slos.find((s) => s.scenario === 'yaml-parse' && s.metric === 'p99');
    expect(p99?.change).toBe('regressed');
    expect(p99!.deltaRatio!).toBeCloseTo(2, 5);
    expect(cmp.slos.find((s) => s.scenario === 'yaml-parse' && s.metric === 'p50')?.change).toBe('unchanged');
    expect(cmp.slos.find((s) => s.scenario === 'json-logic')?.change).toBe('added');
    expect(cmp.newFindings.map((f) => f.id)).toEqual([current.scenarios[0]!.findings[0]!.id]);
    expect(cmp.fixedFindings.map((f) => f.id)).toEqual(['fixed-one']);
    expect(cmp.persistingFindings).toBe(1);
    expect(hasRegression(cmp)).toBe(true);
  });

  it('finds nothing to report when a run is compared with itself', () => {
    const cmp = compareWithBaseline(current, current);
    expect(cmp.slos.every((s) => s.change === 'unchanged' && s.deltaMs === 0)).toBe(true);
    expect(cmp.newFindings).toEqual([]);
    expect(cmp.fixedFindings).toEqual([]);
    expect(hasRegression(cmp)).toBe(false);
  });

  it('does not confuse the same finding id in two different scenarios', () => {
    const base = structuredClone(current);
    const moved = base.scenarios[0]!.findings.shift()!;
    base.scenarios[2]!.findings.push(moved);
    const cmp = compareWithBaseline(current, base);
    expect(cmp.newFindings.map((f) => `${f.scenario}/${f.id}`)).toEqual([`yaml-parse/${moved.id}`]);
    expect(cmp.fixedFindings.map((f) => `${f.scenario}/${f.id}`)).toEqual([`json-logic/${moved.id}`]);
  });
});

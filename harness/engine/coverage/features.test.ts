import { describe, expect, it } from 'vitest';
import { FeatureIndex, FeatureMaxima, innermostCount, sampleFromIds, type ScriptCoverageLike } from './features.ts';

/** A V8-shaped report of one function [0, 100) with the given nested ranges. */
function report(fnCount: number, nested: Array<[number, number, number]>, url = 'file:///t/target.ts', scriptId = '7'): ScriptCoverageLike[] {
  const ranges = [{ startOffset: 0, endOffset: 100, count: fnCount }, ...nested.map(([s, e, c]) => ({ startOffset: s, endOffset: e, count: c }))];
  return [{ scriptId, url, functions: [{ ranges }] }];
}

const countsById = (index: FeatureIndex, r: ScriptCoverageLike[]): Map<number, number> => {
  const s = index.toSample(r);
  return new Map([...s.ids].map((id, i) => [id, s.counts[i] as number]));
};

describe('FeatureIndex', () => {
  it('identifies blocks by start offset, whatever V8 merged in a report', () => {
    const index = new FeatureIndex(() => true);
    // Loop body [10, 50) ran 5 times, branch [20, 30) twice, code after the loop once.
    const first = countsById(index, report(1, [[10, 50, 5], [20, 30, 2]]));
    // Same blocks learned; a later report where the branch count equals the loop's
    // (V8 then omits the nested range) must still give the branch its count.
    const second = countsById(index, report(1, [[10, 50, 3]]));
    expect(index.size).toBe(5); // 0, 10, 20, 30, 50
    expect([...first.values()].sort()).toEqual([1, 1, 2, 5, 5]);
    expect([...second.values()].sort()).toEqual([1, 1, 3, 3, 3]);
    expect([...first.keys()].sort()).toEqual([...second.keys()].sort());
  });

  it('leaves out filtered scripts and functions that did not run', () => {
    const index = new FeatureIndex((url) => !url.includes('node_modules'));
    expect(index.toSample(report(1, [], 'file:///x/node_modules/y.js', '8')).ids.length).toBe(0);
    expect(index.toSample(report(0, [[10, 20, 0]])).ids.length).toBe(0);
    const s = index.toSample(report(2, [[10, 20, 0]]));
    expect(s.total).toBe(4); // [0,10) and [20,100) ran twice; [10,20) never
  });

  it('reads the innermost range', () => {
    const ranges = [
      { startOffset: 0, endOffset: 100, count: 1 },
      { startOffset: 10, endOffset: 50, count: 5 },
      { startOffset: 20, endOffset: 30, count: 2 },
    ];
    expect([5, 15, 25, 35, 60, 100].map((p) => innermostCount(ranges, p))).toEqual([1, 5, 2, 5, 1, 0]);
  });
});

describe('FeatureMaxima', () => {
  it('reports new features and new per-feature maxima (PerfFuzz)', () => {
    const m = new FeatureMaxima();
    const sample = (ids: number[], counts: number[]) => ({ ids: Uint32Array.from(ids), counts: Uint32Array.from(counts), total: 0 });
    expect(m.observe(sample([1, 2], [3, 1]))).toEqual({ newFeatures: 2, newMaxima: 2 });
    expect(m.observe(sample([1, 2], [2, 1]))).toEqual({ newFeatures: 0, newMaxima: 0 });
    expect(m.observe(sample([1, 5000], [4, 1]))).toEqual({ newFeatures: 1, newMaxima: 2 });
    expect(m.unseen(sample([1, 9], [1, 1]))).toEqual([9]);
    m.markSeen([9]);
    expect(m.unseen(sample([9], [1]))).toEqual([]);
    expect(m.coveredCount()).toBe(4);
    expect(m.observe(sampleFromIds(Uint32Array.of(77)))).toEqual({ newFeatures: 1, newMaxima: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { syntheticStacks } from '../../test/report/fixtures.ts';
import type { FindingStacks } from '../core/results-schema.ts';
import { capFolded, capStacks } from './stack-cap.ts';

const total = (s: Pick<FindingStacks, 'folded' | 'foldedOther'>): number => s.folded.reduce((n, x) => n + x.count, 0) + (s.foldedOther?.count ?? 0);

describe('capStacks', () => {
  const stacks = syntheticStacks(3, 400);

  it('keeps the heaviest stacks in descending order and sums the rest', () => {
    const capped = capFolded(stacks, 50);
    expect(capped.folded).toHaveLength(50);
    const counts = capped.folded.map((s) => s.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const lightestKept = counts.at(-1)!;
    const dropped = stacks.folded.filter((s) => !capped.folded.includes(s));
    expect(dropped.every((s) => s.count <= lightestKept)).toBe(true);
    expect(capped.foldedOther).toEqual({ stacks: stacks.folded.length - 50, count: dropped.reduce((n, s) => n + s.count, 0) });
    expect(total(capped)).toBe(total(stacks));
  });

  it('leaves a small set alone and adds no remainder', () => {
    expect(capFolded(stacks, 10_000)).toEqual({ folded: stacks.folded });
  });

  it('accumulates the remainder when capped twice', () => {
    const once = { ...stacks, ...capFolded(stacks, 100) };
    const twice = capFolded(once, 20);
    expect(twice.foldedOther?.stacks).toBe(stacks.folded.length - 20);
    expect(total(twice)).toBe(total(stacks));
  });

  it('caps frame lists and keeps the diff frames that changed most', () => {
    const capped = capStacks(stacks, { folded: 50, frameRows: 3, diffFrames: 5 });
    expect(capped.topSelf).toHaveLength(3);
    expect(capped.topTotal).toHaveLength(3);
    expect(capped.diff).toHaveLength(5);
    const change = (d: { violationShare: number; baselineShare: number }): number => Math.abs(d.violationShare - d.baselineShare);
    const smallestKept = Math.min(...capped.diff!.map(change));
    expect(stacks.diff!.filter((d) => !capped.diff!.includes(d)).every((d) => change(d) <= smallestKept)).toBe(true);
  });
});

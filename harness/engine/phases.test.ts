import { describe, expect, it } from 'vitest';
import { EXPLORE_SHARE, MIN_EXPLORE_TOTAL_MS, leavesTimeToExplore, splitBudget } from './phases.ts';

describe('splitBudget', () => {
  it('explores 40% and measures 60% of the time', () => {
    const plan = splitBudget({ durationMs: 10_000, calls: null });
    expect(EXPLORE_SHARE).toBe(0.4);
    expect(plan.explore).toEqual({ durationMs: 4000, calls: null });
    expect(plan.measure).toEqual({ durationMs: 6000, calls: null });
  });

  it('splits a call budget the same way, and the parts add up', () => {
    const plan = splitBudget({ durationMs: 10_000, calls: 1001 });
    expect(plan.explore?.calls).toBe(400);
    expect(plan.measure.calls).toBe(601);
    expect((plan.explore?.durationMs ?? 0) + plan.measure.durationMs).toBe(10_000);
  });

  it('measures everything when the budget is too small to explore', () => {
    expect(splitBudget({ durationMs: MIN_EXPLORE_TOTAL_MS - 1, calls: null }).explore).toBeNull();
    expect(splitBudget({ durationMs: 10_000, calls: 2 }).explore).toBeNull();
    expect(splitBudget({ durationMs: 10_000, calls: null }, { share: 0 }).explore).toBeNull();
  });

  it('adds engine start-up to exploration but never takes more than half', () => {
    expect(splitBudget({ durationMs: 100_000, calls: null }, { startupMs: 3000 }).explore?.durationMs).toBe(43_000);
    const tight = splitBudget({ durationMs: 10_000, calls: null }, { startupMs: 3000 });
    expect(tight.explore?.durationMs).toBe(5000);
    expect(tight.measure.durationMs).toBe(5000);
  });

  it('leavesTimeToExplore needs a second of running after start-up', () => {
    expect(leavesTimeToExplore(5000, 3000)).toBe(true);
    expect(leavesTimeToExplore(3900, 3000)).toBe(false);
  });
});

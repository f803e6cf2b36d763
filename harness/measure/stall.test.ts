import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SloResult } from '../core/results-schema.ts';
import { createLatencyHistogram, initHistogramsSync, type Histogram } from './histogram.ts';
import { applyStallRuleWith, missedCallsOverThreshold, STALL_SHARE_LIMIT, stallReason, stallSummary, stalledVerdict } from './stall.ts';
import { applyStallRule, sloVerdict } from './verdict.ts';

beforeAll(() => initHistogramsSync());
const live: Histogram[] = [];
afterEach(() => {
  for (const h of live.splice(0)) h.destroy();
});

/** `fast` calls at 13 µs and `hung` at the timeout: the hostile target of the stall defect. */
function fastThenHung(fast: number, hung: number, timeoutMs: number): Histogram {
  const h = createLatencyHistogram();
  live.push(h);
  h.recordValueWithCount(13, fast);
  if (hung > 0) h.recordValueWithCount(timeoutMs * 1000, hung);
  return h;
}

describe('stall share', () => {
  it('is the stalled wall time over the phase, capped at 1', () => {
    expect(stallSummary(440, 1000)).toEqual({ stalledMs: 440, phaseWallMs: 1000, share: 0.44 });
    expect(stallSummary(1500, 1000)?.share).toBe(1);
  });
  it('is absent without a stall or a phase', () => {
    expect(stallSummary(undefined, 1000)).toBeNull();
    expect(stallSummary(0, 1000)).toBeNull();
    expect(stallSummary(10, 0)).toBeNull();
  });
  it('names the share and the timeout', () => {
    expect(stallReason(0.44, 2000)).toBe('44% of the phase was spent in calls that hung (timeout 2 s): not PASS');
    expect(stallReason(0.013, 250)).toBe('1.3% of the phase was spent in calls that hung (timeout 250 ms): not PASS');
  });
});

describe('calls the stalled time stands for', () => {
  it('counts (stalled - stalls * threshold) * rate whole calls', () => {
    // 6 stalls of 2 s (12 s) in a 27.3 s phase; 20,000 calls in the other 15.3 s.
    const missed = missedCallsOverThreshold({ stalledMs: 12_000, phaseWallMs: 27_300, timeoutMs: 2000 }, 1, 20_000);
    // stalls <= 12000/2000 + 1 = 7; (12000 - 7) * 20000/15300 = 15,677.
    expect(missed).toBe(Math.floor((12_000 - 7) * (20_000 / 15_300)));
  });
  it('uses the paced rate when given', () => {
    expect(missedCallsOverThreshold({ stalledMs: 1000, phaseWallMs: 2000, timeoutMs: 1000, callsPerMs: 2 }, 10, 5)).toBe((1000 - 2 * 10) * 2);
  });
  it('is 0 when a stall is shorter than the threshold or nothing ran', () => {
    expect(missedCallsOverThreshold({ stalledMs: 5, phaseWallMs: 100, timeoutMs: 5 }, 10, 100)).toBe(0);
    expect(missedCallsOverThreshold({ stalledMs: 50, phaseWallMs: 100, timeoutMs: 50 }, 1, 0)).toBe(0);
  });
});

describe('stalledVerdict', () => {
  it('FAIL when the missed calls alone put the quantile over the threshold', () => {
    expect(stalledVerdict(0.99, 20_000, 20_000, 15_000)).toBe('FAIL');
  });
  it('INCONCLUSIVE when they are too few to move it', () => {
    // 1,000 measured calls under, 3 missed: 0.3% over, the p99 stays under.
    expect(stalledVerdict(0.99, 1000, 1000, 3)).toBe('INCONCLUSIVE');
  });
  it('max: FAIL as soon as one call would have been over it', () => {
    expect(stalledVerdict(1, 100, 100, 1)).toBe('FAIL');
    expect(stalledVerdict(1, 100, 100, 0)).toBe('INCONCLUSIVE');
  });
});

describe('applyStallRule', () => {
  const stall = { stalledMs: 12_000, phaseWallMs: 27_300, timeoutMs: 2000 };

  it('turns the hostile "p99 0.013 ms PASS" into FAIL with the reason', () => {
    const h = fastThenHung(20_000, 6, 2000);
    const before = sloVerdict(h, 'p99', 1);
    expect(before.verdict).toBe('PASS');
    const [after] = applyStallRule([before], h, stall);
    expect(after?.verdict).toBe('FAIL');
    expect(after?.samplesToDecide).toBeNull();
    expect(after?.explanation).toMatch(/^44% of the phase was spent in calls that hung \(timeout 2 s\): not PASS; the ~[\d,]+ calls/);
  });

  it('never leaves a PASS when the share is over the limit, whatever the threshold', () => {
    const h = fastThenHung(20_000, 6, 2000);
    for (const [metric, threshold] of [['p50', 1], ['p90', 1], ['p99', 5], ['p999', 1], ['max', 3000]] as const) {
      const [after] = applyStallRule([sloVerdict(h, metric, threshold)], h, stall);
      expect(after?.verdict, metric).not.toBe('PASS');
    }
  });

  it('INCONCLUSIVE, not FAIL, when the stalled time cannot move the quantile', () => {
    // 2% of a 100 s phase stalled in one 2 s hang with only 1,000 calls in the rest: ~20 missed calls, p50 holds.
    const h = fastThenHung(1000, 1, 2000);
    const [after] = applyStallRule([sloVerdict(h, 'p50', 1)], h, { stalledMs: 2000, phaseWallMs: 100_000, timeoutMs: 2000 });
    expect(after?.verdict).toBe('INCONCLUSIVE');
    expect(after?.explanation).toMatch(/^2\.0% of the phase.*describes only the time the target answered/);
  });

  it('leaves verdicts alone at or under the 1% limit', () => {
    const h = fastThenHung(20_000, 1, 2000);
    const verdicts = [sloVerdict(h, 'p99', 1)];
    const share = STALL_SHARE_LIMIT * 0.99;
    expect(applyStallRule(verdicts, h, { stalledMs: share * 10_000, phaseWallMs: 10_000, timeoutMs: 2000 })).toBe(verdicts);
  });

  it('keeps a FAIL a FAIL and adds the reason', () => {
    const r: SloResult = { ...sloVerdict(fastThenHung(10, 0, 1), 'p99', 1), verdict: 'FAIL', explanation: 'p99 over' };
    const [after] = applyStallRuleWith([r], stall, () => ({ n: 10, atOrUnder: 0 }));
    expect(after?.verdict).toBe('FAIL');
    expect(after?.explanation).toBe('p99 over; and 44% of the phase was spent in calls that hung (timeout 2 s): not PASS');
  });
});

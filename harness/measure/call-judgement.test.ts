import { describe, expect, it } from 'vitest';
import { CALL_POLICIES, decidedEarly, judgeCall, violationThresholdMs } from './call-judgement.ts';

describe('the one per-call judgement', () => {
  it('judges the median against budget x the policy margin', () => {
    expect(judgeCall([12, 9, 11], 10, CALL_POLICIES.detect)).toEqual({ violates: true, medianMs: 11, thresholdMs: 10 });
    expect(judgeCall([12, 9, 10], 10, CALL_POLICIES.detect).violates).toBe(false);
    expect(judgeCall([12, 11, 13], 10, CALL_POLICIES.confirm).violates).toBe(true);
    expect(judgeCall([10.5, 10.8, 11], 10, CALL_POLICIES.confirm).violates).toBe(false);
    expect(judgeCall([14, 16, 15], 10, CALL_POLICIES.shrink).violates).toBe(false);
    expect(judgeCall([16, 16, 15.5], 10, CALL_POLICIES.shrink).violates).toBe(true);
  });

  it('orders the margins: shrink needs more room than confirm, confirm more than detect', () => {
    const t = (name: keyof typeof CALL_POLICIES): number => violationThresholdMs(10, CALL_POLICIES[name]);
    expect(t('detect')).toBeLessThan(t('confirm'));
    expect(t('confirm')).toBeLessThan(t('shrink'));
    expect(t('regression')).toBe(t('detect'));
  });

  it('reproduce needs every call over the budget', () => {
    expect(judgeCall([30, 30, 9], 10, CALL_POLICIES.reproduce).violates).toBe(false);
    expect(judgeCall([30, 11, 10.5], 10, CALL_POLICIES.reproduce).violates).toBe(true);
  });

  it('regression counts most calls timing out as a violation, even at the budget itself', () => {
    expect(judgeCall([10, 10, 1], 10, CALL_POLICIES.regression, 2).violates).toBe(true);
    expect(judgeCall([10, 10, 1], 10, CALL_POLICIES.regression, 1).violates).toBe(false);
    expect(judgeCall([10, 10, 1], 10, CALL_POLICIES.detect, 2).violates).toBe(false);
  });

  it('has no median without measurements, and no violation', () => {
    const judged = judgeCall([], 10, CALL_POLICIES.detect);
    expect(judged.medianMs).toBeNaN();
    expect(judged.violates).toBe(false);
  });

  it('decides early once a majority is on one side, and agrees with the median on full samples', () => {
    expect(decidedEarly([], 3, 10)).toBeNull();
    expect(decidedEarly([11], 3, 10)).toBeNull();
    expect(decidedEarly([11, 12], 3, 10)).toBe(true);
    expect(decidedEarly([9, 8], 3, 10)).toBe(false);
    expect(decidedEarly([11, 9], 3, 10)).toBeNull();
    for (const sample of [[11, 9, 12], [11, 9, 8], [10, 10, 11], [1, 20, 30]]) {
      expect(decidedEarly(sample, 3, 10)).toBe(judgeCall(sample, 10, CALL_POLICIES.detect).violates);
    }
    expect(decidedEarly([11, 12, 9, 8], 4, 10)).toBe(false);
  });
});

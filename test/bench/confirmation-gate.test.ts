/** The engine bench's rule for which slow instrumented calls to confirm (bench/slow-targets/runner/budget.ts). */
import { describe, expect, it } from 'vitest';
import { ConfirmationGate } from '../../bench/slow-targets/runner/budget.ts';

describe('ConfirmationGate', () => {
  it('confirms every over-budget call until a confirmation has failed', () => {
    const gate = new ConfirmationGate(10);
    expect(gate.worthConfirming(9.9)).toBe(false);
    expect(gate.worthConfirming(10.1)).toBe(true);
    expect(gate.worthConfirming(39)).toBe(true);
    expect(gate.skipped).toBe(0);
  });

  it('after a failure, skips calls the smallest slowdown seen would bring under the budget', () => {
    const gate = new ConfirmationGate(10);
    gate.failed(20, [8, 9]); // 20 ms instrumented, at most 9 ms without: 2.2x slower
    expect(gate.worthConfirming(20)).toBe(false); // ~9 ms uninstrumented
    expect(gate.worthConfirming(25)).toBe(true); // ~11 ms
    gate.failed(15, [10]); // a smaller slowdown (1.5x) is believed from now on
    expect(gate.worthConfirming(16)).toBe(true);
    expect(gate.skipped).toBe(1);
  });

  it('does not let one call inflated by a pause hide real violations', () => {
    const gate = new ConfirmationGate(10);
    gate.failed(400, [5, 5]); // 80x: a GC pause, not instrumentation; capped at 4x
    expect(gate.worthConfirming(41)).toBe(true);
    expect(gate.worthConfirming(39)).toBe(false);
  });
});

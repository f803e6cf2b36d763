import { describe, expect, it } from 'vitest';
import type { ResolvedChaos, ResolvedCpuChaos } from '../scenario/chaos-types.ts';
import { applyKnob, describeKnob } from './intensity.ts';

const DEFAULT_CPU: ResolvedCpuChaos = { duty: 0, threads: 2, tool: 'burner' };
const chaos: ResolvedChaos = {
  dependencies: [
    { name: 'attributes', latency: { alpha: 1.16, scaleMs: 2, capMs: 10 }, errorRate: 0.1, timeoutMs: 100, hasCall: true },
    { name: 'audit', latency: null, errorRate: 0.4, timeoutMs: null, hasCall: false },
  ],
  cpu: { duty: 0.3, threads: 2, tool: 'burner' },
};

describe('chaos intensity knobs', () => {
  it('dependency.<name>.scale sets that scale only, and lifts a cap below it', () => {
    const at5 = applyKnob(chaos, 'dependency.attributes.scale', 5, DEFAULT_CPU);
    expect(at5.dependencies[0]?.latency).toEqual({ alpha: 1.16, scaleMs: 5, capMs: 10 });
    expect(applyKnob(chaos, 'dependency.attributes.scale', 20, DEFAULT_CPU).dependencies[0]?.latency?.capMs).toBe(20);
    expect(at5.dependencies[1]).toEqual(chaos.dependencies[1]);
    expect(at5.cpu).toEqual(chaos.cpu);
    expect(chaos.dependencies[0]?.latency?.scaleMs).toBe(2); // not mutated
  });

  it('cpu.duty sets the duty, with stressor defaults when the scenario has none', () => {
    expect(applyKnob(chaos, 'cpu.duty', 0.8, DEFAULT_CPU).cpu).toEqual({ duty: 0.8, threads: 2, tool: 'burner' });
    expect(applyKnob(undefined, 'cpu.duty', 0.5, DEFAULT_CPU)).toEqual({ dependencies: [], cpu: { duty: 0.5, threads: 2, tool: 'burner' } });
  });

  it('factor scales every scale, error rate and the duty, clamping rates at 1; factor 1 is the scenario', () => {
    const f3 = applyKnob(chaos, 'factor', 3, DEFAULT_CPU);
    expect(f3.dependencies[0]?.latency?.scaleMs).toBe(6);
    expect(f3.dependencies[0]?.errorRate).toBeCloseTo(0.3, 12);
    expect(f3.dependencies[1]?.errorRate).toBe(1);
    expect(f3.cpu?.duty).toBeCloseTo(0.9, 12);
    const f1 = applyKnob(chaos, 'factor', 1, DEFAULT_CPU);
    expect(f1).toEqual(chaos);
  });

  it('rejects unknown knobs and names a dependency without latency', () => {
    expect(() => applyKnob(chaos, 'rate', 1, DEFAULT_CPU)).toThrow(/unknown chaos knob "rate"/);
    expect(() => applyKnob(chaos, 'dependency.audit.scale', 1, DEFAULT_CPU)).toThrow(/no dependency "audit" with a latency/);
    expect(describeKnob('dependency.x.scale')).toEqual({ unit: 'ms', cpu: false });
  });
});

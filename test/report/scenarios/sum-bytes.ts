/** Scenarios for the vitest entry point's own test: one that holds its SLO, one that cannot. */
import { defineScenario } from '../../../harness/index.ts';

function busyWaitMs(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a deterministic slow path
  }
}

export default [
  defineScenario({
    name: 'report-vitest-fast',
    description: 'sums bytes: far under its SLO',
    target: (input: Buffer) => input.reduce((a, b) => a + b, 0),
    input: { type: 'bytes', maxLength: 64 },
    slo: { p99: '50ms' },
    budget: { duration: '1s' },
    seed: 1,
  }),
  defineScenario({
    name: 'report-vitest-slow',
    description: 'waits 3 ms per call: always over a 1 ms p99',
    target: () => busyWaitMs(3),
    input: { type: 'bytes', maxLength: 16 },
    slo: { p99: '1ms', perCall: '1s' },
    budget: { duration: '1s' },
    seed: 1,
  }),
];

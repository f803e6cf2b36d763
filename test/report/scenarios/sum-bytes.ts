/**
 * Scenarios for the vitest entry point's own test: one that holds its SLO, one that cannot,
 * and one whose every call exceeds its per-call budget. Corpora live under test-output/
 * (git-ignored): runs save interesting inputs and findings, and tests must not grow the repo.
 */
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
    input: { type: 'bytes', maxLength: 64, corpus: '../../../test-output/vitest-corpora/report-vitest-fast' },
    slo: { p99: '50ms' },
    budget: { duration: '1s' },
    seed: 1,
  }),
  defineScenario({
    name: 'report-vitest-slow',
    description: 'waits 3 ms per call: always over a 1 ms p99',
    target: () => busyWaitMs(3),
    input: { type: 'bytes', maxLength: 16, corpus: '../../../test-output/vitest-corpora/report-vitest-slow' },
    slo: { p99: '1ms', perCall: '1s' },
    budget: { duration: '1s' },
    seed: 1,
  }),
  defineScenario({
    name: 'report-vitest-finding',
    description: 'waits 15 ms per call: every call is a slow finding against a 5 ms per-call budget',
    target: () => busyWaitMs(15),
    // Findings are saved outside the committed corpora (test-output/ is git-ignored).
    input: { type: 'bytes', maxLength: 1, corpus: '../../../test-output/vitest-corpora/report-vitest-finding' },
    slo: { p99: '100ms', perCall: '5ms' },
    budget: { duration: '1s' },
    seed: 1,
  }),
];

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // End-to-end tests spawn real processes on a 2-core machine: keep parallelism low
    // and timeouts generous; no test asserts on absolute time.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'harness', sequence: { groupOrder: 0 }, include: ['harness/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/hostile/**', '**/node_modules/**'] },
      },
      {
        // The hostile suite runs many CLIs at once (kills, full disks, concurrent runs): it
        // goes after the rest, so its load never starves another file's timing-sensitive run.
        extends: true,
        test: { name: 'hostile', include: ['test/hostile/**/*.test.ts'], sequence: { groupOrder: 1 }, maxConcurrency: 3 },
      },
    ],
  },
});

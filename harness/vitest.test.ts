/**
 * The vitest entry point against the real runner (real isolates): a scenario that holds its
 * SLO passes, one over its SLO fails with the verdict line, one with findings fails with
 * their replay commands, and a missing scenario name lists the names that exist.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenarioFileInChild } from './run.ts';
import { runSloCheck, sloTest } from './vitest.ts';

const SCENARIOS = new URL('../test/report/scenarios/sum-bytes.ts', import.meta.url);
const FINDINGS_CORPUS = fileURLToPath(new URL('../test-output/vitest-corpora/report-vitest-finding', import.meta.url));

afterAll(async () => {
  await rm(FINDINGS_CORPUS, { recursive: true, force: true });
});

describe('runSloCheck (the body of sloTest)', () => {
  it('passes a scenario that holds its SLO', async () => {
    const results = await runSloCheck({ file: SCENARIOS, scenario: 'report-vitest-fast' }, { budgetMs: 1000, seed: 1 });
    expect(results.map((r) => r.verdict)).toEqual(['PASS']);
    expect(results[0]!.calls).toBeGreaterThan(100);
  });

  it('fails a scenario over its SLO with the verdict line and the seed to replay it', async () => {
    const run = runSloCheck({ file: SCENARIOS, scenario: 'report-vitest-slow' }, { budgetMs: 1000, seed: 1 });
    await expect(run).rejects.toThrow(/report-vitest-slow: FAIL[\s\S]*FAIL p99 < 1\.00 ms: measured/);
    await expect(run).rejects.toThrow(/replay the run with --seed 1/);
  });

  it('fails a scenario with findings, naming each with its replay command', async () => {
    const error = await runSloCheck({ file: SCENARIOS, scenario: 'report-vitest-finding' }, { budgetMs: 1000, seed: 1 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeNull();
    expect(error!.message).toMatch(/report-vitest-finding: FAIL/);
    expect(error!.message).toMatch(/finding slow [0-9a-f]{12}: .* vs per-call budget 5\.00 ms/);
    expect(error!.message).toMatch(/replay: npx slo-harness replay \S*test-output\/vitest-corpora\/report-vitest-finding\/violations\/[0-9a-f]+\.json/);
  });

  it('names the scenarios it found when the requested one is missing', async () => {
    await expect(runSloCheck({ file: SCENARIOS, scenario: 'nope' }, { budgetMs: 200 })).rejects.toThrow(/no scenario named "nope".*report-vitest-fast/);
  });

  it('runs a file path through runScenarioFileInChild, the given seed overriding the scenario seed', async () => {
    const results = await runScenarioFileInChild(fileURLToPath(SCENARIOS), { scenario: 'report-vitest-fast', budgetMs: 300, seed: 5 });
    expect(results).toHaveLength(1);
    expect(results[0]!.seed).toBe(5);
  });
});

// The entry point itself, registered the way a user writes it.
sloTest('sloTest registers a passing scenario as a test', { file: SCENARIOS, scenario: 'report-vitest-fast' }, { budgetMs: 800, seed: 2 });

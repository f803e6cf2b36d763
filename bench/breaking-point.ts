/**
 * Breaking-point accuracy: the search (pipeline/breaking-point-runner.ts over
 * search/breaking-point.ts) on a target whose latency is ONLY the injected Pareto delay of
 * one dependency, against the analytic breaking scale SLO * 0.01^(1/alpha).
 *
 *  - sampled: each step draws the dependency injector's own seeded delays (20 per ms of
 *    step, no clock), so the table isolates the search's accuracy. Goal: within 10%.
 *  - real (`-- breaking --real`, or BENCH_BREAKING_REAL=1): the same search through real
 *    isolates on test/fixtures/chaos/pareto-only.scenario.ts (alpha 2.5, SLO 4 ms). On a
 *    busy machine scheduler preemption inflates P99 and pulls the found scale down.
 *
 *   npm run bench -- breaking
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { initHistograms } from '../harness/measure/histogram.ts';
import { runBreakingPoint, type BreakingPointScenario } from '../harness/pipeline/breaking-point-runner.ts';
import { paretoOnlyScenario, sampledInjectedDelayStep, SAMPLES_PER_MS } from '../test/fixtures/chaos/synthetic-pareto.ts';
import { loadScenarioFile } from '../harness/scenario/load.ts';

const ALPHA = 1.16;
const SLO_MS = 100;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export interface BreakingBenchRow {
  seed: number;
  analytic: number;
  found: number | null;
  crossing: number | null;
  error: number | null;
  status: string;
  steps: number;
  ms: number;
}

export async function sampledRows(seeds = [1, 2, 3, 4, 5, 6, 7, 8]): Promise<BreakingBenchRow[]> {
  const analytic = SLO_MS * Math.pow(0.01, 1 / ALPHA);
  const rows: BreakingBenchRow[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await runBreakingPoint(paretoOnlyScenario(ALPHA, SLO_MS), { seed, seeds: [], measureStep: sampledInjectedDelayStep(seed) });
    const found = r?.breakingPoint ?? null;
    rows.push({ seed, analytic, found, crossing: r?.crossingEstimate ?? null, error: found === null ? null : found / analytic - 1, status: r?.status ?? 'none', steps: r?.steps ?? 0, ms: performance.now() - t0 });
  }
  return rows;
}

async function realRun(): Promise<void> {
  const file = path.resolve('test/fixtures/chaos/pareto-only.scenario.ts');
  const [scenario] = (await loadScenarioFile(file)) as BreakingPointScenario[];
  const s = scenario as BreakingPointScenario;
  const alpha = s.chaos?.dependencies[0]?.latency?.alpha ?? NaN;
  const slo = s.slo.thresholds.find((t) => t.metric === 'p99')?.thresholdMs ?? NaN;
  const analytic = slo * Math.pow(0.01, 1 / alpha);
  const t0 = performance.now();
  const r = await runBreakingPoint(s, { seed: 1234, seeds: [], onStep: (p) => console.log(`  step ${p.intensity.toFixed(3)} ms: p99 ${p.p99Ms.toFixed(2)} [${p.p99Lower.toFixed(2)}, ${p.p99Upper.toFixed(2)}] n=${p.samples} ${p.outcome}`) });
  const found = r?.breakingPoint ?? null;
  console.log(`real isolates (alpha ${alpha}, SLO p99 ${slo} ms): analytic ${analytic.toFixed(3)} ms, found ${found?.toFixed(3) ?? '-'} ms (${found === null ? '-' : pct(found / analytic - 1)}), crossing estimate ${r?.crossingEstimate?.toFixed(3) ?? '-'} ms, status ${r?.status}, ${r?.steps} steps, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function main(): Promise<void> {
  await initHistograms();
  const rows = await sampledRows();
  console.log(`sampled injected delays, alpha ${ALPHA}, SLO p99 ${SLO_MS} ms, ${SAMPLES_PER_MS * 4000} samples per step (x4 on re-measure), tolerance 5%; goal: within 10%`);
  console.log('seed  analytic ms  found ms  error   crossing est  status  steps  time');
  for (const r of rows) {
    console.log(
      `${String(r.seed).padEnd(4)}  ${r.analytic.toFixed(4).padStart(11)}  ${(r.found?.toFixed(4) ?? '-').padStart(8)}  ${(r.error === null ? '-' : pct(r.error)).padStart(6)}  ${(r.crossing?.toFixed(4) ?? '-').padStart(12)}  ${r.status.padEnd(6)}  ${String(r.steps).padStart(5)}  ${(r.ms / 1000).toFixed(2)} s`,
    );
  }
  const worst = Math.max(...rows.map((r) => Math.abs(r.error ?? Infinity)));
  console.log(`worst |error| ${pct(worst)} ${worst < 0.1 ? '(goal met)' : '(GOAL MISSED)'}`);
  if (process.argv.includes('--real') || process.env['BENCH_BREAKING_REAL'] === '1') await realRun();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();

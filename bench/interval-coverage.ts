/**
 * P99 interval check (issue 2): how often the reported 95% order-statistic interval
 * contains the true quantile of a known distribution, over 1,000 seeded trials per row,
 * and what one interval costs on a 1e6-sample histogram.
 *
 *   node --import tsx bench/interval-coverage.ts
 *
 * Coverage is deterministic (seeded); the timing line is the only machine-dependent figure.
 */
import { pathToFileURL } from 'node:url';
import { createLatencyHistogram, initHistograms, msToUs } from '../harness/measure/histogram.ts';
import { quantileInterval } from '../harness/measure/quantile-interval.ts';
import {
  exponentialDistribution, lognormalDistribution, measureIntervalCoverage, mulberry32, paretoDistribution,
} from '../harness/measure/synthetic.ts';
import type { CoverageResult, SyntheticDistribution } from '../harness/measure/synthetic.ts';

export interface CoverageRow {
  distribution: string;
  samples: number;
  quantile: number;
  result: CoverageResult;
}

export interface IntervalBenchResult {
  confidence: number;
  trials: number;
  rows: CoverageRow[];
  /** Mean wall time of one quantileInterval(h, 0.99) on a histogram of 1e6 values. */
  microsecondsPerInterval: number;
  /** The goal: every bounded row covers the truth in >= 93% of trials. */
  meetsGoal: boolean;
}

const TRIALS = 1000;
const CONFIDENCE = 0.95;
const GOAL = 0.93;

const CASES: Array<{ distribution: SyntheticDistribution; samples: number; q: number }> = [
  { distribution: exponentialDistribution(1), samples: 500, q: 0.99 },
  { distribution: exponentialDistribution(1), samples: 2000, q: 0.99 },
  { distribution: exponentialDistribution(1), samples: 20_000, q: 0.99 },
  { distribution: lognormalDistribution(2, 0.6), samples: 2000, q: 0.99 },
  { distribution: paretoDistribution(1, 1.16), samples: 2000, q: 0.99 },
  { distribution: lognormalDistribution(2, 0.6), samples: 2000, q: 0.5 },
  { distribution: exponentialDistribution(1), samples: 20_000, q: 0.999 },
];

export async function runIntervalBench(): Promise<IntervalBenchResult> {
  await initHistograms();
  const rows = CASES.map((c, i) => ({
    distribution: c.distribution.name,
    samples: c.samples,
    quantile: c.q,
    result: measureIntervalCoverage({ ...c, trials: TRIALS, seed: 1000 + i, confidence: CONFIDENCE }),
  }));
  return {
    confidence: CONFIDENCE,
    trials: TRIALS,
    rows,
    microsecondsPerInterval: timeOneInterval(1_000_000),
    meetsGoal: rows.every((r) => r.result.coverage >= GOAL),
  };
}

function timeOneInterval(samples: number): number {
  const h = createLatencyHistogram();
  try {
    const uniform = mulberry32(42);
    const dist = exponentialDistribution(1);
    for (let i = 0; i < samples; i++) h.recordValue(msToUs(dist.sample(uniform)));
    for (let i = 0; i < 50; i++) quantileInterval(h, 0.99); // warm up
    const calls = 2000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) quantileInterval(h, 0.99);
    return Number(process.hrtime.bigint() - start) / 1000 / calls;
  } finally {
    h.destroy();
  }
}

export function formatIntervalBench(r: IntervalBenchResult): string {
  const header = ['distribution', 'n', 'q', 'coverage', 'unbounded lo/hi', 'median width'];
  const lines = r.rows.map((row) => [
    row.distribution,
    row.samples.toLocaleString('en-US'),
    `p${+(row.quantile * 100).toFixed(1)}`,
    `${(row.result.coverage * 100).toFixed(1)}%`,
    `${row.result.unboundedLower}/${row.result.unboundedUpper}`,
    row.result.medianRelativeWidth === null ? '-' : `${(row.result.medianRelativeWidth * 100).toFixed(1)}% of true`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `P99 interval check: ${r.trials} seeded trials per row, ${r.confidence * 100}% distribution-free intervals`,
    fmt(header),
    ...lines.map(fmt),
    `goal: coverage >= ${GOAL * 100}% in every row -> ${r.meetsGoal ? 'met' : 'NOT MET'}`,
    `quantileInterval(h, 0.99) on a 1e6-value histogram: ${r.microsecondsPerInterval.toFixed(1)} µs per call`,
  ].join('\n');
}

export async function main(): Promise<IntervalBenchResult> {
  const result = await runIntervalBench();
  console.log(formatIntervalBench(result));
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await main();
  process.exitCode = result.meetsGoal ? 0 : 1;
}

/**
 * Pareto sampler accuracy and speed: for alpha in {1.16, 1.5, 2.5}, 1e6 seeded draws,
 * empirical P50 / P99 / P99.9 against the analytic quantiles, and the draw time.
 * Goal (issue 4): P99 within 2% of analytic for alpha 1.16.
 *
 *   node --import tsx bench/pareto.ts
 */
import { pathToFileURL } from 'node:url';
import { createRng } from '../harness/core/rng.ts';
import { createParetoSampler, paretoQuantile } from '../harness/chaos/pareto.ts';

export interface ParetoBenchRow {
  alpha: number;
  quantile: number;
  empiricalMs: number;
  analyticMs: number;
  relativeError: number;
}

export interface ParetoBenchResult {
  draws: number;
  seed: number;
  rows: ParetoBenchRow[];
  /** Wall time to draw `draws` values, per alpha (ms). */
  drawMs: Record<string, number>;
  /** Largest |P99 relative error| over `seedsForSpread` seeds, per alpha. */
  p99WorstErrorOverSeeds: Record<string, number>;
  seedsForSpread: number;
}

const ALPHAS = [1.16, 1.5, 2.5];
const QUANTILES = [0.5, 0.99, 0.999];
const SCALE_MS = 1;

function draw(alpha: number, draws: number, seed: number): { values: Float64Array; ms: number } {
  const sampler = createParetoSampler({ alpha, scale: SCALE_MS }, createRng(seed));
  const values = new Float64Array(draws);
  const start = performance.now();
  for (let i = 0; i < draws; i++) values[i] = sampler.next();
  return { values, ms: performance.now() - start };
}

/** Nearest-rank quantile of sorted values. */
const quantileOf = (sorted: Float64Array, q: number): number => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;

export function runParetoBench(draws = 1_000_000, seed = 1, seedsForSpread = 10): ParetoBenchResult {
  const rows: ParetoBenchRow[] = [];
  const drawMs: Record<string, number> = {};
  const p99WorstErrorOverSeeds: Record<string, number> = {};
  for (const alpha of ALPHAS) {
    draw(alpha, 100_000, seed); // warm up the JIT so the timing is of steady-state code
    const { values, ms } = draw(alpha, draws, seed);
    drawMs[alpha] = ms;
    values.sort();
    for (const q of QUANTILES) {
      const analyticMs = paretoQuantile({ alpha, scale: SCALE_MS }, q);
      const empiricalMs = quantileOf(values, q);
      rows.push({ alpha, quantile: q, empiricalMs, analyticMs, relativeError: (empiricalMs - analyticMs) / analyticMs });
    }
    let worst = 0;
    for (let s = 0; s < seedsForSpread; s++) {
      const sorted = draw(alpha, draws, 1000 + s).values.sort();
      const analytic = paretoQuantile({ alpha, scale: SCALE_MS }, 0.99);
      worst = Math.max(worst, Math.abs(quantileOf(sorted, 0.99) / analytic - 1));
    }
    p99WorstErrorOverSeeds[alpha] = worst;
  }
  return { draws, seed, rows, drawMs, p99WorstErrorOverSeeds, seedsForSpread };
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

export function formatParetoBench(result: ParetoBenchResult): string {
  const lines = [
    `Pareto sampler: ${result.draws.toLocaleString('en')} draws per alpha, scale ${SCALE_MS} ms, seed ${result.seed}`,
    `${pad('alpha', 6)} ${pad('quantile', 9)} ${pad('empirical', 12)} ${pad('analytic', 12)} ${pad('rel.err', 9)} ${pad('draw ms', 9)}`,
  ];
  for (const row of result.rows) {
    lines.push(
      [
        pad(row.alpha.toFixed(2), 6),
        pad(`p${(row.quantile * 100).toString()}`, 9),
        pad(row.empiricalMs.toFixed(3), 12),
        pad(row.analyticMs.toFixed(3), 12),
        pad(`${(row.relativeError * 100).toFixed(2)}%`, 9),
        pad(row.quantile === 0.5 ? (result.drawMs[row.alpha] as number).toFixed(1) : '', 9),
      ].join(' '),
    );
  }
  const spread = ALPHAS.map(
    (a) => `alpha ${a}: ${((result.p99WorstErrorOverSeeds[a] as number) * 100).toFixed(2)}%`,
  ).join(', ');
  lines.push(`worst |P99 error| over ${result.seedsForSpread} other seeds: ${spread}`);
  const goal = result.rows.find((r) => r.alpha === 1.16 && r.quantile === 0.99) as ParetoBenchRow;
  lines.push(
    `goal: P99 within 2% of analytic at alpha 1.16 -> ${(Math.abs(goal.relativeError) * 100).toFixed(2)}% ${Math.abs(goal.relativeError) < 0.02 ? 'OK' : 'MISSED'}`,
  );
  return lines.join('\n');
}

export function main(): ParetoBenchResult {
  const result = runParetoBench();
  console.log(formatParetoBench(result));
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

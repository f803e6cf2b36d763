/**
 * Harness overhead: calls/s of the supervised, measured loop versus a bare loop calling
 * the same ~1 µs target (JSON.parse of a small document) on the same pre-generated inputs
 * in the same kind of isolate (a worker thread). Goal: ratio >= 0.67.
 * Run: node --import tsx bench/harness-overhead.ts
 */
import { Worker } from 'node:worker_threads';

export interface OverheadResult {
  bareCallsPerSec: number;
  harnessCallsPerSec: number;
  ratio: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export async function measureOverhead(calls = 2_000_000, rounds = 5): Promise<OverheadResult> {
  const worker = new Worker(new URL('./overhead-worker-boot.mjs', import.meta.url), { workerData: { calls, rounds } });
  const { bare, harness } = await new Promise<{ bare: number[]; harness: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  const bareCallsPerSec = median(bare);
  const harnessCallsPerSec = median(harness);
  return { bareCallsPerSec, harnessCallsPerSec, ratio: harnessCallsPerSec / bareCallsPerSec };
}

export async function main(): Promise<OverheadResult> {
  const r = await measureOverhead();
  const fmt = (x: number): string => `${Math.round(x).toLocaleString('en-US')} calls/s`;
  console.log('harness overhead (JSON.parse of ~110-byte documents, worker thread, median of 5 rounds of 2M calls)');
  console.log(`  bare loop      ${fmt(r.bareCallsPerSec)}`);
  console.log(`  measured loop  ${fmt(r.harnessCallsPerSec)}`);
  console.log(`  ratio          ${r.ratio.toFixed(3)}  (goal >= 0.67: ${r.ratio >= 0.67 ? 'met' : 'NOT met'})`);
  return r;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

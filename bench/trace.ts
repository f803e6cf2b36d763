/**
 * Trace bench (`npm run bench -- trace`):
 *  1. Overhead (trace-overhead.ts): throughput and P99 of a loopback HTTP server with bpftrace at
 *     99 Hz versus without, and with off-CPU scheduler tracing on top, in paired slices of one
 *     run. Goal: <= 3% throughput loss at 99 Hz.
 *  2. Attribution: 20 trace sessions per backend on test/fixtures/trace/parse-header.scenario.ts,
 *     whose slow path is `parseHeader`. Goal: `parseHeader` among the top 3 frames of the
 *     violation stacks in >= 95% of runs, for both backends.
 *  3. Start-up: from a session's start to the sampler running (bpftrace probes attached).
 * Env: TRACE_BENCH_RUNS (attribution sessions per backend, default 20); the overhead part's
 * settings are in trace-overhead.ts.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { medianInterpolated as median } from '../harness/core/stats.ts';
import { loadScenarios } from '../harness/scenario/load.ts';
import { bpftraceAvailable } from '../harness/trace/bpftrace.ts';
import type { StackBackend } from '../harness/trace/finding-stacks.ts';
import { frameKind } from '../harness/trace/frames.ts';
import { runTraceSession } from '../harness/drivers/isolate/trace-session.ts';
import { overhead } from './trace-overhead.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const FIXTURE = path.join(REPO, 'test/fixtures/trace');
const RUNS = Number(process.env.TRACE_BENCH_RUNS ?? 20);

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

interface AttributionRun {
  inTop3: boolean;
  /** parseHeader is in >= 80% of the violation stacks and is the JS frame that grew most vs baseline. */
  strict: boolean;
  startupMs: number | null;
  attachMs: number | null;
  samples: number;
}

async function attributionRuns(backend: StackBackend, runs: number): Promise<AttributionRun[]> {
  const [scenario] = await loadScenarios([path.join(FIXTURE, 'parse-header.scenario.ts')]);
  if (!scenario) throw new Error('fixture scenario missing');
  const read = (f: string): Promise<Buffer> => readFile(path.join(FIXTURE, 'parse-header-corpus', f));
  const violations = [{ id: 'slow', input: await read('seed-slow') }];
  const baseline = await Promise.all(['seed-plain', 'seed-accept', 'seed-id'].map(read));
  const out: AttributionRun[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runTraceSession({ scenario, seed: i, violations, baseline, backend, reason: null, hz: 99, durationMs: 800, pathRoot: REPO });
    const stacks = r.stacks.get('slow');
    const isParseHeader = (f: string | undefined): boolean => f?.startsWith('parseHeader (') ?? false;
    const topJsGrowth = stacks?.diff?.find((d) => frameKind(d.frame) === 'js')?.frame;
    out.push({
      inTop3: stacks?.topTotal.slice(0, 3).some((t) => isParseHeader(t.frame)) ?? false,
      strict: (stacks?.topTotal.find((t) => isParseHeader(t.frame))?.share ?? 0) >= 0.8 && isParseHeader(topJsGrowth),
      startupMs: r.startupMs,
      attachMs: r.attachMs,
      samples: stacks?.samples ?? 0,
    });
  }
  return out;
}

function reportAttribution(backend: StackBackend, runs: AttributionRun[]): void {
  const rate = (f: (r: AttributionRun) => boolean): number => runs.filter(f).length / Math.max(1, runs.length);
  const top3 = rate((r) => r.inTop3);
  console.log(`  ${backend.padEnd(12)} parseHeader in top 3: ${pct(top3)} of ${runs.length} runs (goal >= 95%: ${top3 >= 0.95 ? 'met' : 'NOT met'}); strict (in >= 80% of violation stacks and top JS growth vs baseline): ${pct(rate((r) => r.strict))}; median ${median(runs.map((r) => r.samples))} samples/run`);
  const startup = runs.map((r) => r.startupMs).filter((x): x is number => x !== null);
  const attach = runs.map((r) => r.attachMs).filter((x): x is number => x !== null);
  const what = backend === 'bpftrace' ? 'probes attached' : 'V8 profiler started';
  console.log(`  ${''.padEnd(12)} start-up (session start to ${what}): median ${Math.round(median(startup))} ms, max ${Math.round(Math.max(...startup))} ms${attach.length > 0 ? `; bpftrace spawn to attached: median ${Math.round(median(attach))} ms, max ${Math.round(Math.max(...attach))} ms` : ''}`);
}

export async function main(): Promise<void> {
  const available = await bpftraceAvailable();
  if (available.ok) await overhead();
  else console.log(`overhead: skipped (${available.reason})`);
  console.log(`attribution: test/fixtures/trace parse-header target, ${RUNS} sessions per backend, 99 Hz, 0.8 s replay each`);
  const backends: StackBackend[] = available.ok ? ['bpftrace', 'v8-inspector'] : ['v8-inspector'];
  for (const backend of backends) reportAttribution(backend, await attributionRuns(backend, RUNS));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

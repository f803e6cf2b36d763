/**
 * Bench: latency the embedded Toxiproxy adds with no toxics (issue 4 goal: added P99 < 1 ms at
 * 1,000 req/s).
 *
 *   node --import tsx bench/proxy-overhead.ts [--rate 1000] [--seconds 5] [--rounds 10]
 *
 * A trivial HTTP server runs in a worker thread (its own event loop, like a separate service).
 * The load generator and the embedded proxy share the main thread, as they do in the harness.
 * Load is open-loop: request i is due at start + i/rate, sent by a pacer over a keep-alive undici
 * Pool, and its latency is measured from that intended time (so stalls are not hidden by
 * coordinated omission). Direct and proxied phases alternate in ABBA order over `rounds` short
 * rounds (0.5 s each by default) so background load on a shared machine hits both modes alike.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy } from '../harness/chaos/toxiproxy/index.ts';

export interface ProxyOverheadOptions {
  rate?: number;
  seconds?: number;
  rounds?: number;
  warmupSeconds?: number;
}

export interface LatencySummary {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ProxyOverheadResult {
  rate: number;
  secondsPerMode: number;
  direct: LatencySummary;
  proxied: LatencySummary;
  addedP50Ms: number;
  addedP99Ms: number;
  /**
   * A/A control: |P99 of the direct rounds in even positions - P99 of those in odd positions|.
   * An added P99 smaller than this is within the machine's noise.
   */
  noiseFloorP99Ms: number;
  /** Process CPU (µs) per request, proxied minus direct: the proxy's own work per request. */
  proxyCpuPerRequestUs: number;
  goalAddedP99Ms: number;
  meetsGoal: boolean;
}

const GOAL_ADDED_P99_MS = 1;

/** Plain JS so the worker needs no loader; a fixed string, nothing from inputs. */
const SERVER_SOURCE = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
  res.end('ok');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (msg) => { if (msg === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

async function startServerWorker(): Promise<{ port: number; worker: Worker }> {
  const worker = new Worker(SERVER_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: number) => resolve(message));
    worker.once('error', reject);
  });
  return { port, worker };
}

async function stopServerWorker(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage('close');
  const timer = setTimeout(() => void worker.terminate(), 2_000);
  await exited;
  clearTimeout(timer);
}

interface PhaseSamples {
  latencies: number[];
  errors: number;
  /** User + system CPU of the whole process during the phase, in µs. */
  cpuMicros: number;
}

/** Sends `rate` req/s for `seconds`, each latency measured from its intended send time. */
async function runOpenLoop(pool: Pool, rate: number, seconds: number): Promise<PhaseSamples> {
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const samples: PhaseSamples = { latencies: [], errors: 0, cpuMicros: 0 };
  const cpuBefore = process.cpuUsage();
  const inFlight: Promise<void>[] = [];
  const send = (intended: number): Promise<void> =>
    pool
      .request({ path: '/', method: 'GET' })
      .then(async ({ body }) => {
        await body.dump();
        samples.latencies.push(performance.now() - intended);
      })
      .catch(() => {
        samples.errors++;
      });
  const start = performance.now() + 5;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // Send everything that is due, even if the timer woke late: the pace is by intended time.
      while (next < total && start + next * intervalMs <= now) inFlight.push(send(start + next++ * intervalMs));
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  const cpu = process.cpuUsage(cpuBefore);
  samples.cpuMicros = cpu.user + cpu.system;
  return samples;
}

/** Nearest-rank quantile of ascending `sorted`, q in (0, 1]. */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

export function summarise(samples: PhaseSamples): LatencySummary {
  const sorted = [...samples.latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors: samples.errors,
    p50Ms: quantileOfSorted(sorted, 0.5),
    p99Ms: quantileOfSorted(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
  };
}

function merge(parts: PhaseSamples[]): PhaseSamples {
  return {
    latencies: parts.flatMap((p) => p.latencies),
    errors: parts.reduce((sum, p) => sum + p.errors, 0),
    cpuMicros: parts.reduce((sum, p) => sum + p.cpuMicros, 0),
  };
}

function cpuPerRequestUs(samples: PhaseSamples): number {
  return samples.cpuMicros / Math.max(1, samples.latencies.length + samples.errors);
}

/** |P99(even-positioned parts) - P99(odd-positioned parts)| of one mode. */
function splitHalfP99Gap(parts: PhaseSamples[]): number {
  const even = summarise(merge(parts.filter((_, i) => i % 2 === 0)));
  const odd = summarise(merge(parts.filter((_, i) => i % 2 === 1)));
  return Math.abs(even.p99Ms - odd.p99Ms);
}

function printTable(result: ProxyOverheadResult): void {
  const row = (label: string, s: LatencySummary): string =>
    `${label.padEnd(10)} ${String(s.requests).padStart(8)} ${String(s.errors).padStart(7)} ${s.p50Ms.toFixed(3).padStart(9)} ${s.p99Ms.toFixed(3).padStart(9)} ${s.maxMs.toFixed(3).padStart(9)}`;
  console.log(`embedded Toxiproxy overhead, no toxics, open loop ${result.rate} req/s, ${result.secondsPerMode} s per mode`);
  console.log(`${'mode'.padEnd(10)} ${'requests'.padStart(8)} ${'errors'.padStart(7)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'max ms'.padStart(9)}`);
  console.log(row('direct', result.direct));
  console.log(row('proxied', result.proxied));
  console.log(
    `added p50 ${result.addedP50Ms.toFixed(3)} ms, added p99 ${result.addedP99Ms.toFixed(3)} ms ` +
      `(goal < ${result.goalAddedP99Ms} ms: ${result.meetsGoal ? 'met' : 'NOT met'})`,
  );
  console.log(
    `noise floor (direct vs direct p99) ${result.noiseFloorP99Ms.toFixed(3)} ms, ` +
      `proxy CPU ${result.proxyCpuPerRequestUs.toFixed(1)} µs/request`,
  );
}

export async function main(options: ProxyOverheadOptions = {}): Promise<ProxyOverheadResult> {
  const rate = options.rate ?? 1000;
  const seconds = options.seconds ?? 5;
  const rounds = Math.max(1, options.rounds ?? 10);
  const warmupSeconds = options.warmupSeconds ?? 1;
  const { port, worker } = await startServerWorker();
  const toxiproxy = await startEmbeddedToxiproxy();
  const pools: Pool[] = [];
  try {
    const proxy = await new Toxiproxy(toxiproxy.url).createProxy({
      name: 'bench',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${port}`,
    });
    const direct = new Pool(`http://127.0.0.1:${port}`, { connections: 16, pipelining: 1 });
    const proxied = new Pool(`http://${proxy.listen}`, { connections: 16, pipelining: 1 });
    pools.push(direct, proxied);
    await runOpenLoop(direct, rate, warmupSeconds);
    await runOpenLoop(proxied, rate, warmupSeconds);
    const directParts: PhaseSamples[] = [];
    const proxiedParts: PhaseSamples[] = [];
    for (let round = 0; round < rounds; round++) {
      // ABBA order: neither mode always runs first (warm caches, drifting background load).
      const order = round % 2 === 0 ? (['direct', 'proxied'] as const) : (['proxied', 'direct'] as const);
      for (const mode of order) {
        const samples = await runOpenLoop(mode === 'direct' ? direct : proxied, rate, seconds / rounds);
        (mode === 'direct' ? directParts : proxiedParts).push(samples);
      }
    }
    const directAll = merge(directParts);
    const proxiedAll = merge(proxiedParts);
    const directSummary = summarise(directAll);
    const proxiedSummary = summarise(proxiedAll);
    const result: ProxyOverheadResult = {
      rate,
      secondsPerMode: seconds,
      direct: directSummary,
      proxied: proxiedSummary,
      addedP50Ms: proxiedSummary.p50Ms - directSummary.p50Ms,
      addedP99Ms: proxiedSummary.p99Ms - directSummary.p99Ms,
      noiseFloorP99Ms: splitHalfP99Gap(directParts),
      proxyCpuPerRequestUs: cpuPerRequestUs(proxiedAll) - cpuPerRequestUs(directAll),
      goalAddedP99Ms: GOAL_ADDED_P99_MS,
      meetsGoal: proxiedSummary.p99Ms - directSummary.p99Ms < GOAL_ADDED_P99_MS,
    };
    printTable(result);
    return result;
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    await toxiproxy.close();
    await stopServerWorker(worker);
  }
}

function cliOptions(): ProxyOverheadOptions {
  const { values } = parseArgs({
    options: { rate: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' } },
  });
  const number = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));
  return { rate: number(values.rate), seconds: number(values.seconds), rounds: number(values.rounds) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(cliOptions()).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

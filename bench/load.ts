/**
 * Load-generation bench: `node --import tsx bench/load.ts`.
 *
 * Against one trivial loopback HTTP server, started as a CHILD process so the client and the
 * server do not share a thread (2-core machine: one core each, roughly):
 *  (a) our closed-loop autocannon driver, 10 connections, 5 s -> req/s
 *  (b) `wrk -t1 -c10 -d5s` on the same server -> req/s; goal a/b >= 0.8 (issue 4)
 *      (a) and (b) run as adjacent pairs, ROUNDS times with the order alternating. The goal is
 *      judged on the median of the pair ratios: adjacent runs share the machine's state of the
 *      moment, and the median of 7 pairs ignores the rounds a neighbour disturbed. Best-of
 *      (max a / max b) is printed as well. On this shared 2-core machine single pairs ranged
 *      0.56-1.45: autocannon needs a full core of JS and suffers more from contention than wrk
 *      does, so 3 pairs gave medians from 0.77 to 0.88 while 7 pairs gave 0.90-0.94.
 *  (c) open-loop at 2,000 req/s for 5 s (both pacing modes): achieved rate, corrected vs
 *      uncorrected P99, sender lag.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runClosedLoop } from '../harness/load/closed-loop.ts';
import { percentileMs } from '../harness/load/latency-histogram.ts';
import { runOpenLoop, type PacingMode } from '../harness/load/open-loop.ts';
import { runWrk, type WrkOutcome } from '../harness/load/wrk.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('../harness/load/trivial-server.ts', import.meta.url));
const CONNECTIONS = 10;
const CLOSED_SECONDS = 5;
const OPEN_RATE = 2000;
const OPEN_SECONDS = 5;
const ROUNDS = 7;

export interface OpenLoopFigures {
  pacing: PacingMode;
  planned: number;
  sent: number;
  completed: number;
  achievedRate: number;
  correctedP50Ms: number;
  correctedP99Ms: number;
  uncorrectedP50Ms: number;
  uncorrectedP99Ms: number;
  lagP99Ms: number;
  maxLagMs: number;
  errors: number;
}

export interface ThroughputRound {
  autocannonReqPerSec: number;
  autocannonP99Ms: number;
  wrk: WrkOutcome;
  /** autocannon driver / wrk, or null when wrk did not run. */
  ratio: number | null;
}

export interface LoadBenchResult {
  rounds: ThroughputRound[];
  /** Median of the rounds' ratios, or null when wrk never ran. */
  ratio: number | null;
  /** Best autocannon round / best wrk round, or null when wrk never ran. */
  bestOfRatio: number | null;
  openLoop: OpenLoopFigures[];
}

interface ChildServer {
  origin: string;
  stop(): void;
}

function startChildServer(): Promise<ChildServer> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (message: string): void => {
      stop();
      reject(new Error(`${message}; server output: ${output.slice(0, 500)}`));
    };
    const guard = setTimeout(() => fail('server did not start within 20 s'), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\d+)/.exec(output);
      if (!match) return;
      clearTimeout(guard);
      resolve({ origin: `http://127.0.0.1:${match[1]}`, stop });
    });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code) => fail(`server exited early with ${code}`));
  });
}

async function measureClosedLoop(origin: string, seconds: number): Promise<{ reqPerSec: number; p99Ms: number }> {
  const result = await runClosedLoop({ url: `${origin}/`, connections: CONNECTIONS, durationMs: seconds * 1000 });
  try {
    return { reqPerSec: result.requestsPerSec, p99Ms: percentileMs(result.latencyHistogram, 99) };
  } finally {
    result.latencyHistogram.destroy();
  }
}

async function measureRound(origin: string, wrkFirst: boolean, signal: AbortSignal): Promise<ThroughputRound> {
  const wrkRun = (): Promise<WrkOutcome> =>
    runWrk({ url: `${origin}/`, threads: 1, connections: CONNECTIONS, durationSeconds: CLOSED_SECONDS, signal });
  const wrkBefore = wrkFirst ? await wrkRun() : undefined;
  const closed = await measureClosedLoop(origin, CLOSED_SECONDS);
  const wrk = wrkBefore ?? (await wrkRun());
  const ratio = wrk.kind === 'ok' ? closed.reqPerSec / wrk.summary.requestsPerSec : null;
  return { autocannonReqPerSec: closed.reqPerSec, autocannonP99Ms: closed.p99Ms, wrk, ratio };
}

async function measureOpenLoop(origin: string, pacing: PacingMode): Promise<OpenLoopFigures> {
  const result = await runOpenLoop({
    origin,
    rate: OPEN_RATE,
    durationMs: OPEN_SECONDS * 1000,
    connections: CONNECTIONS,
    pacing,
    buildRequest: () => ({ method: 'GET', path: '/' }),
  });
  try {
    const { timeout, connection, other, status4xx, status5xx } = result.errors;
    return {
      pacing,
      planned: result.planned,
      sent: result.sent,
      completed: result.completed,
      achievedRate: result.achievedRate,
      correctedP50Ms: percentileMs(result.correctedHistogram, 50),
      correctedP99Ms: percentileMs(result.correctedHistogram, 99),
      uncorrectedP50Ms: percentileMs(result.uncorrectedHistogram, 50),
      uncorrectedP99Ms: percentileMs(result.uncorrectedHistogram, 99),
      lagP99Ms: result.lagP99Ms,
      maxLagMs: result.maxLagMs,
      errors: timeout + connection + other + status4xx + status5xx,
    };
  } finally {
    result.correctedHistogram.destroy();
    result.uncorrectedHistogram.destroy();
  }
}

function printTable(result: LoadBenchResult): void {
  const rows: Array<[string, string]> = [];
  result.rounds.forEach((round, k) => {
    rows.push([`round ${k + 1} (a) autocannon driver, ${CONNECTIONS} conn, ${CLOSED_SECONDS} s`, `${round.autocannonReqPerSec.toFixed(0)} req/s (P99 ${round.autocannonP99Ms.toFixed(3)} ms)`]);
    rows.push([`round ${k + 1} (b) wrk -t1 -c${CONNECTIONS} -d${CLOSED_SECONDS}s`, wrkCell(round.wrk)]);
    rows.push([`round ${k + 1} ratio a/b`, round.ratio === null ? 'n/a' : round.ratio.toFixed(3)]);
  });
  rows.push(['median of pair ratios a/b (goal >= 0.8)', ratioCell(result.ratio)]);
  rows.push(['best-of ratio max(a)/max(b) (for information)', result.bestOfRatio === null ? 'n/a' : result.bestOfRatio.toFixed(3)]);
  for (const open of result.openLoop) {
    const label = `(c) open loop ${OPEN_RATE} req/s, ${OPEN_SECONDS} s, ${open.pacing} pacing`;
    rows.push([label, `achieved ${open.achievedRate.toFixed(1)} req/s, sent ${open.sent}/${open.planned}, completed ${open.completed}, errors ${open.errors}`]);
    rows.push(['    P50 corrected / uncorrected', `${open.correctedP50Ms.toFixed(3)} / ${open.uncorrectedP50Ms.toFixed(3)} ms`]);
    rows.push(['    P99 corrected / uncorrected', `${open.correctedP99Ms.toFixed(3)} / ${open.uncorrectedP99Ms.toFixed(3)} ms`]);
    rows.push(['    sender lag P99 / max', `${open.lagP99Ms.toFixed(3)} / ${open.maxLagMs.toFixed(3)} ms`]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('Load generation (trivial loopback server in a child process)');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

function ratioCell(ratio: number | null): string {
  return ratio === null ? 'n/a (wrk did not run)' : `${ratio.toFixed(3)} ${ratio >= 0.8 ? 'PASS' : 'BELOW GOAL'}`;
}

function wrkCell(outcome: WrkOutcome): string {
  if (outcome.kind === 'missing') return 'wrk not installed (apt-get install wrk)';
  if (outcome.kind === 'failed') return `wrk failed: ${outcome.message}`;
  return `${outcome.summary.requestsPerSec.toFixed(0)} req/s`;
}

function bestOf(rounds: ThroughputRound[]): number | null {
  const wrkRates = rounds.flatMap((round) => (round.wrk.kind === 'ok' ? [round.wrk.summary.requestsPerSec] : []));
  if (wrkRates.length === 0) return null;
  return Math.max(...rounds.map((round) => round.autocannonReqPerSec)) / Math.max(...wrkRates);
}

export async function main(): Promise<LoadBenchResult> {
  const server = await startChildServer();
  const children = new AbortController();
  const onSignal = (): void => {
    children.abort(); // kills a running wrk
    server.stop();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await measureClosedLoop(server.origin, 1); // warm-up: JIT on both sides, connections
    const rounds: ThroughputRound[] = [];
    for (let k = 0; k < ROUNDS; k++) rounds.push(await measureRound(server.origin, k % 2 === 1, children.signal));
    const ratios = rounds.flatMap((round) => (round.ratio === null ? [] : [round.ratio])).sort((a, b) => a - b);
    const ratio = ratios.length === 0 ? null : (ratios[Math.floor(ratios.length / 2)] ?? null);
    const openLoop = [await measureOpenLoop(server.origin, 'timer'), await measureOpenLoop(server.origin, 'precise')];
    const result: LoadBenchResult = { rounds, ratio, bestOfRatio: bestOf(rounds), openLoop };
    printTable(result);
    return result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

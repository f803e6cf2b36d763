/**
 * Engine benchmark on the project's slow targets (bench/slow-targets/): for each target,
 * time to the first SLO violation and minimised input size for
 *   (a) the builtin latency-guided engine,
 *   (b) Jazzer.js with default options (when its native addon loads here),
 *   (c) fast-check random testing with the property "call < budget",
 * over several seeds, reporting medians. Every run is a child process with a hard kill at
 * cap + 10 s; every found input is minimised by the same shrinker (harness/search/shrink.ts).
 *
 *   node --import tsx bench/engines.ts [--seconds 60] [--seeds 3] [--targets a,b]
 *        [--engines builtin,jazzer,fastcheck] [--shrink-seconds 60] [--out file.json]
 *
 * A violation is the same for all engines: a call over the target's budget whose median
 * over three uninstrumented runs is over budget x 1.1 (runner/budget.ts CONFIRM_MARGIN), or
 * a call that runs past the hang limit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureJazzerLoadable } from '../harness/native/ensure-loadable.ts';
import { loadSlowTarget, SLOW_TARGET_NAMES } from './slow-targets/index.ts';
import { calibrateChild, fuzzChild, shrinkChild, type CalibrationOutcome, type ShrinkOutcome } from './slow-targets/runner/children.ts';
import type { FuzzEngineKind, FuzzOutcome } from './slow-targets/runner/protocol.ts';

export type BenchEngine = 'builtin' | 'jazzer' | 'fastcheck';

export interface BenchOptions {
  seconds: number;
  seeds: number;
  targets: string[];
  engines: BenchEngine[];
  shrinkSeconds: number;
  out: string | null;
}

export interface RunRecord {
  target: string;
  engine: BenchEngine;
  seed: number;
  found: boolean;
  timeToViolationMs: number | null;
  /** Until the violation's confirmation re-runs finished (includes the violating call's overshoot). */
  confirmedAfterMs: number | null;
  foundSize: number | null;
  /** The input the engine found, before shrinking (kept so a finding that did not re-violate can be studied). */
  foundHex: string | null;
  minimisedSize: number | null;
  minimisedHex: string | null;
  shrinkMeasurements: number | null;
  executions: number;
  note: string;
}

export interface TargetSummary {
  target: string;
  budgetMs: number;
  smallestKnownSize: number;
  perEngine: Record<string, { found: number; runs: number; medianTimeMs: number | null; medianMinimisedSize: number | null }>;
}

const THIS_FILE = fileURLToPath(import.meta.url);
const ROOT = dirname(dirname(THIS_FILE));
const JAZZER_ENTRY = join(ROOT, 'bench/slow-targets/runner/jazzer-entry.js'); // tsx maps .js to the .ts file
const KILL_GRACE_S = 10;

export function parseArgs(argv: readonly string[]): BenchOptions {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const engines = (get('engines') ?? 'builtin,jazzer,fastcheck').split(',') as BenchEngine[];
  for (const e of engines) if (!['builtin', 'jazzer', 'fastcheck'].includes(e)) throw new Error(`unknown engine "${e}"`);
  return {
    seconds: Number(get('seconds') ?? 60),
    seeds: Number(get('seeds') ?? 3),
    targets: (get('targets') ?? SLOW_TARGET_NAMES.join(',')).split(','),
    engines,
    shrinkSeconds: Number(get('shrink-seconds') ?? 60),
    out: get('out') ?? null,
  };
}

/** Runs this file as a child job and returns the parsed RESULT line (null on timeout/crash). */
function runChild<T>(args: string[], capSeconds: number): Promise<T | null> {
  return spawnForResult(process.execPath, ['--import', import.meta.resolve('tsx'), THIS_FILE, ...args], { cwd: ROOT, env: process.env }, capSeconds, (out) => {
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    return line ? (JSON.parse(line.slice(7)) as T) : null;
  });
}

function spawnForResult<T>(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }, capSeconds: number, parse: (stdout: string, stderr: string) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...opts.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString('utf8')).slice(-1_000_000)));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-200_000)));
    const killer = setTimeout(() => child.kill('SIGKILL'), (capSeconds + KILL_GRACE_S) * 1000);
    const onExit = (): void => {
      clearTimeout(killer);
      try {
        resolve(parse(stdout, stderr));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    child.on('error', (e) => {
      clearTimeout(killer);
      reject(e);
    });
    child.on('close', onExit);
    // Whatever happens to the bench, its children die with it.
    const killChild = (): void => void child.kill('SIGKILL');
    process.once('exit', killChild);
    child.on('close', () => process.removeListener('exit', killChild));
  });
}

/** Jazzer.js CLI with default options (plus -seed and -max_total_time), in a scratch directory for its artifacts. */
async function runJazzer(target: string, seed: number, seconds: number, budgetMs: number): Promise<FuzzOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'slo-bench-jazzer-'));
  const report = join(dir, 'report.jsonl');
  const cli = join(dirname(fileURLToPath(import.meta.resolve('@jazzer.js/core'))), 'cli.js');
  const args = ['--import', import.meta.resolve('tsx'), cli, JAZZER_ENTRY, '--', `-seed=${seed}`, `-max_total_time=${seconds}`];
  const env = { ...process.env, SLOW_TARGET: target, SLO_BENCH_REPORT: report };
  const startedWall = Date.now();
  try {
    return await spawnForResult(process.execPath, args, { cwd: dir, env }, seconds, (_out, err) => {
      const lines = existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').filter(Boolean) : [];
      const records = lines.map((l) => JSON.parse(l) as { type: string; at?: number; timeToViolationMs?: number; confirmedAfterMs?: number; inputHex?: string; executions?: number });
      const start = records.find((r) => r.type === 'start');
      const violation = records.find((r) => r.type === 'violation');
      const executions = Number(/Done (\d+) runs/.exec(err)?.[1] ?? [...err.matchAll(/#(\d+)\s/g)].pop()?.[1] ?? violation?.executions ?? 0);
      if (violation) return { ...fuzzOutcome(true, violation.timeToViolationMs ?? null, violation.inputHex ?? null, executions, 'crash (over-budget call)'), confirmedAfterMs: violation.confirmedAfterMs ?? null };
      const timeoutFile = readdirSync(dir).find((f) => f.startsWith('timeout-'));
      if (timeoutFile && start?.at) {
        // libFuzzer's -timeout (Jazzer default 5 s) stopped a hanging call: it was over budget budgetMs after it began.
        const ttf = Date.now() - start.at - 5000 + budgetMs;
        return fuzzOutcome(true, ttf, readFileSync(join(dir, timeoutFile)).toString('hex'), executions, 'timeout artifact');
      }
      const note = start ? 'no violation' : `did not start: ${err.split('\n').slice(-5).join(' | ')}`;
      return fuzzOutcome(false, null, null, executions, note || `exit after ${Date.now() - startedWall} ms`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fuzzOutcome(found: boolean, ttf: number | null, hex: string | null, executions: number, note: string): FuzzOutcome {
  return { type: 'outcome', found, timeToViolationMs: ttf, inputHex: hex, executions, detail: { note } };
}

async function runOne(engine: BenchEngine, target: string, seed: number, opts: BenchOptions, budgetMs: number): Promise<RunRecord> {
  const outcome =
    engine === 'jazzer'
      ? await runJazzer(target, seed, opts.seconds, budgetMs)
      : await runChild<FuzzOutcome>(['--child', 'fuzz', '--engine', engine, '--target', target, '--seed', String(seed), '--seconds', String(opts.seconds)], opts.seconds);
  const record: RunRecord = {
    target,
    engine,
    seed,
    found: outcome?.found ?? false,
    timeToViolationMs: outcome?.timeToViolationMs ?? null,
    confirmedAfterMs: outcome?.confirmedAfterMs ?? null,
    foundSize: outcome?.inputHex ? outcome.inputHex.length / 2 : null,
    foundHex: outcome?.inputHex ?? null,
    minimisedSize: null,
    minimisedHex: null,
    shrinkMeasurements: null,
    executions: outcome?.executions ?? 0,
    note: outcome ? Object.entries(outcome.detail).map(([k, v]) => `${k}=${v}`).join(' ') : 'child killed or crashed',
  };
  if (outcome?.found && outcome.inputHex) {
    // Inputs can be larger than one command-line argument may be: hand them over in a file.
    const dir = mkdtempSync(join(tmpdir(), 'slo-bench-shrink-'));
    const inputFile = join(dir, 'input.hex');
    writeFileSync(inputFile, outcome.inputHex);
    const shrunk = await runChild<ShrinkOutcome>(['--child', 'shrink', '--target', target, '--input-file', inputFile, '--seconds', String(opts.shrinkSeconds)], opts.shrinkSeconds).finally(() =>
      rmSync(dir, { recursive: true, force: true }),
    );
    if (shrunk?.initialViolates) {
      record.minimisedSize = shrunk.size;
      record.minimisedHex = shrunk.minimisedHex;
      record.shrinkMeasurements = shrunk.measurements;
      if (shrunk.margin !== 1.1) record.note += ` | shrunk at margin ${shrunk.margin}`;
    } else record.note += shrunk ? ' | finding did not re-violate in the shrinker' : ' | shrink child failed';
  }
  return record;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median time over all seeds, counting a miss as never (so a majority must find it). */
export function summarise(records: readonly RunRecord[], target: string, budgetMs: number, smallestKnownSize: number, engines: readonly BenchEngine[]): TargetSummary {
  const perEngine: TargetSummary['perEngine'] = {};
  for (const engine of engines) {
    const runs = records.filter((r) => r.target === target && r.engine === engine);
    const times = runs.map((r) => (r.found && r.timeToViolationMs !== null ? r.timeToViolationMs : Number.POSITIVE_INFINITY));
    const med = median(times);
    perEngine[engine] = {
      found: runs.filter((r) => r.found).length,
      runs: runs.length,
      medianTimeMs: med !== null && Number.isFinite(med) ? med : null,
      medianMinimisedSize: median(runs.flatMap((r) => (r.minimisedSize === null ? [] : [r.minimisedSize]))),
    };
  }
  return { target, budgetMs, smallestKnownSize, perEngine };
}

export function formatTable(summaries: readonly TargetSummary[], engines: readonly BenchEngine[], opts: BenchOptions): string {
  const head = ['target', 'budget', 'known'];
  for (const e of engines) head.push(`${e} found`, `${e} t(ms)`, `${e} min`);
  if (engines.includes('builtin')) head.push('speedup vs others');
  const rows = summaries.map((s) => {
    const row = [s.target, `${s.budgetMs}ms`, String(s.smallestKnownSize)];
    for (const e of engines) {
      const p = s.perEngine[e];
      row.push(p ? `${p.found}/${p.runs}` : '-', fmt(p?.medianTimeMs ?? null), p?.medianMinimisedSize === null || !p ? '-' : `${p.medianMinimisedSize} (${(p.medianMinimisedSize / s.smallestKnownSize).toFixed(2)}x)`);
    }
    if (engines.includes('builtin')) row.push(speedups(s, engines));
    return row;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  const title = [
    `cap ${opts.seconds}s, ${opts.seeds} seed(s), medians (miss = never); min = minimised size (ratio to smallest known)`,
    't = from the first call to the moment the first confirmed violating call crossed the budget (its start + budget), the same clock for every engine and for calls the hang watchdog stops',
  ].join('\n');
  return [title, line(head), ...rows.map(line)].join('\n');
}

function speedups(s: TargetSummary, engines: readonly BenchEngine[]): string {
  const mine = s.perEngine['builtin']?.medianTimeMs ?? null;
  const parts: string[] = [];
  for (const e of engines) {
    if (e === 'builtin') continue;
    const theirs = s.perEngine[e]?.medianTimeMs ?? null;
    if (theirs === null) parts.push(`${e}: not found`);
    else if (mine === null) parts.push(`${e}: builtin missed`);
    else parts.push(`${e}: ${(theirs / mine).toFixed(1)}x`);
  }
  return parts.join(', ');
}

function fmt(ms: number | null): string {
  if (ms === null) return 'miss';
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

function writeJsonAtomically(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<TargetSummary[]> {
  const opts = parseArgs(argv);
  const engines = [...opts.engines];
  if (engines.includes('jazzer')) {
    const compat = await ensureJazzerLoadable();
    const usable = compat.status === 'already-loads' || compat.status === 'patched';
    console.log(`jazzer.js addon: ${compat.status} (${compat.reason})`);
    if (!usable) engines.splice(engines.indexOf('jazzer'), 1);
  }
  const records: RunRecord[] = [];
  const summaries: TargetSummary[] = [];
  for (const target of opts.targets) {
    const { meta } = await loadSlowTarget(target);
    const calibration = await runChild<CalibrationOutcome>(['--child', 'calibrate', '--target', target], 120);
    const known = calibration?.size ?? meta.smallestKnownViolatingSize;
    console.log(`${target}: budget ${meta.budgetMs} ms, smallest known violating size here ${known} (n=${calibration?.n ?? '?'}, median ${calibration?.medianMs.toFixed(1) ?? '?'} ms)`);
    for (const engine of engines) {
      for (let seed = 1; seed <= opts.seeds; seed++) {
        const record = await runOne(engine, target, seed, opts, meta.budgetMs);
        records.push(record);
        const confirmed = record.confirmedAfterMs === null ? '' : ` (confirmed at ${fmt(record.confirmedAfterMs)} ms)`;
        console.log(`  ${engine.padEnd(9)} seed ${seed}: ${record.found ? `found in ${fmt(record.timeToViolationMs)} ms${confirmed}, size ${record.foundSize} -> ${record.minimisedSize ?? '?'}` : 'no violation'} (${record.executions} execs) ${record.note}`);
      }
    }
    summaries.push(summarise(records, target, meta.budgetMs, known, engines));
  }
  console.log(`\n${formatTable(summaries, engines, opts)}`);
  if (opts.out) writeJsonAtomically(opts.out, { options: opts, engines, summaries, records, node: process.version });
  return summaries;
}

async function child(argv: readonly string[]): Promise<void> {
  const get = (name: string): string => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : undefined;
    if (v === undefined) throw new Error(`missing --${name}`);
    return v;
  };
  const job = get('child');
  let result: unknown;
  if (job === 'fuzz') result = await fuzzChild(get('engine') as FuzzEngineKind, get('target'), Number(get('seed')), Number(get('seconds')));
  else if (job === 'shrink') result = await shrinkChild(get('target'), readFileSync(get('input-file'), 'utf8'), Number(get('seconds')));
  else if (job === 'calibrate') result = await calibrateChild(get('target'));
  else throw new Error(`unknown child job ${job}`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv[1] === THIS_FILE) {
  const argv = process.argv.slice(2);
  (argv.includes('--child') ? child(argv) : main(argv).then(() => undefined)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

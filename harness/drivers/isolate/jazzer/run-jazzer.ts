/**
 * The exploration phase with Jazzer.js: runs its CLI (libFuzzer) in a child process on
 * fuzz-entry.ts, with the scenario's seeds as the libFuzzer corpus, for the exploration
 * budget. Returns what libFuzzer kept (its corpus directory: raw inputs, or fast-check
 * choice sequences for arbitrary scenarios) so the measured phase starts from it, and
 * turns the entry's report and libFuzzer's artifacts (timeout-, crash-, oom-) into findings.
 *
 * Robustness: the child is tracked (core/process-registry.ts) and runs `--sync` (fastest here:
 * 27-36k execs/s), which ignores SIGTERM, so stopping is SIGKILL. A hanging target is
 * stopped by libFuzzer's own -timeout (artifact saved); the child is killed when its
 * fuzzing time is up whatever it is doing (a hang in its last second is lost to this phase:
 * the measured phase may meet it again under the watchdog). After a timeout or crash, Jazzer is started again on the
 * same corpus for the rest of the budget (at most MAX_STARTS times): one bad input does
 * not end the exploration, and never the harness.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contentId } from '../../../engine/corpus.ts';
import type { ResolvedScenario } from '../../../scenario/types.ts';
import { trackChild } from '../../../core/process-registry.ts';
import { tsxLoader } from '../tsx-loader.ts';
import type { FindingKindWire, FindingMessage } from '../protocol.ts';
import { JAZZER_STARTUP_MS, libFuzzerDictionary, parseJazzerReport, type JazzerEntryConfig } from '../../../engine/jazzer/report.ts';

const ENTRY = fileURLToPath(new URL('./fuzz-entry.js', import.meta.url)); // tsx maps .js to the .ts file
const MAX_STARTS = 4;
/** Less fuzzing time than this is not worth a (re)start. */
const MIN_FUZZ_MS = 1000;
const MAX_CORPUS = 1000;
const TAIL_BYTES = 4096;
/** A child that has not called the target by then is stuck in start-up: killed. */
const STARTUP_LIMIT_MS = 20_000;
const CLOCK_TICK_MS = 50;


export interface JazzerExploreOptions {
  scenario: ResolvedScenario;
  seed: number;
  durationMs: number;
  /** Seed inputs in the saved encoding; used for bytes and string scenarios. */
  seeds: Uint8Array[];
  /** Packages to instrument besides the scenario file (bare imports of the scenario). */
  packages: string[];
  signal?: AbortSignal;
  onFinding: (finding: FindingMessage) => void;
  /** Converts an artifact (engine bytes) to the saved encoding (arbitrary: choices -> value). */
  toSavedEncoding: (engineBytes: Uint8Array) => Promise<Uint8Array>;
}

export interface JazzerExploreResult {
  calls: number;
  durationMs: number;
  /** Inputs libFuzzer kept, engine bytes (raw, or choice sequences), newest first, bounded. */
  corpus: Uint8Array[];
  starts: number;
  /** Why exploration ended early or failed, or null. */
  note: string | null;
}

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  killed: boolean;
  /** Time from the first call to the child's end. */
  fuzzedMs: number;
}

export async function exploreWithJazzer(opts: JazzerExploreOptions): Promise<JazzerExploreResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'slo-jazzer-'));
  const corpusDir = path.join(work, 'corpus');
  const artifactDir = path.join(work, 'artifacts');
  const started = performance.now();
  let calls = 0;
  let starts = 0;
  let note: string | null = null;
  const reported = new Set<string>();
  try {
    await prepare(opts, work, corpusDir, artifactDir);
    const seedIds = new Set(opts.seeds.map((s) => contentId(s)));
    // The phase's budget includes one start-up (engine/phases.ts); restarts pay theirs from the fuzzing time.
    let fuzzLeft = opts.durationMs - JAZZER_STARTUP_MS;
    for (;;) {
      if (opts.signal?.aborted || fuzzLeft < MIN_FUZZ_MS || starts >= MAX_STARTS) break;
      const reportFile = path.join(work, `report-${starts}.jsonl`);
      await writeEntryConfig(opts, work, reportFile);
      const outcome = await runOnce(opts, work, corpusDir, artifactDir, reportFile, fuzzLeft);
      starts++;
      fuzzLeft -= outcome.fuzzedMs + JAZZER_STARTUP_MS;
      const report = existsSync(reportFile) ? parseJazzerReport(await readFile(reportFile, 'utf8')) : { calls: 0, findings: [] };
      // The entry writes its count every 250 ms; libFuzzer's own final count is exact when present.
      calls += Math.max(report.calls, libFuzzerRuns(outcome.stderrTail));
      for (const f of report.findings) {
        const input = new Uint8Array(Buffer.from(f.inputBase64, 'base64'));
        if (reported.has(f.signature)) continue;
        reported.add(f.signature);
        opts.onFinding({ type: 'finding', kind: f.kind, input, latencyMs: f.latencyMs, confirmMs: f.confirmMs, message: f.message, stack: f.stack, signature: f.signature });
      }
      const artifacts = await collectArtifacts(opts, artifactDir, corpusDir);
      if (report.calls === 0 && artifacts === 0) {
        // Killed before its first call: the budget ended during Jazzer's start-up (not an error).
        if (!outcome.killed) note = `Jazzer.js made no calls (exit ${outcome.signal ?? outcome.code}): ${outcome.stderrTail.trim().split('\n').slice(-3).join(' | ')}`;
        else if (starts === 1) note = `Jazzer.js did not call the target within ${STARTUP_LIMIT_MS / 1000} s of starting`;
        break;
      }
      if (outcome.killed || (outcome.code === 0 && artifacts === 0)) break; // budget used up
      if (artifacts === 0) {
        note = `Jazzer.js exited with ${outcome.signal ?? outcome.code} outside a reported timeout or crash: ${outcome.stderrTail.trim().split('\n').slice(-2).join(' | ')}`;
        break;
      }
      note = `Jazzer.js stopped ${starts} time(s) on a timeout or crash and was restarted on its corpus`;
    }
    const corpus = await readCorpus(corpusDir, seedIds);
    return { calls, durationMs: performance.now() - started, corpus, starts, note };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Executions libFuzzer reported last in its output ("Done N runs", or its last "#N" status line). */
export function libFuzzerRuns(stderr: string): number {
  const done = /Done (\d+) runs/.exec(stderr)?.[1];
  if (done) return Number(done);
  const status = [...stderr.matchAll(/^#(\d+)\s/gm)].pop()?.[1];
  return status ? Number(status) : 0;
}

async function prepare(opts: JazzerExploreOptions, work: string, corpusDir: string, artifactDir: string): Promise<void> {
  await writeFile(path.join(work, 'package.json'), '{}\n'); // Jazzer looks for one from its cwd
  await Promise.all([mkdir(corpusDir, { recursive: true }), mkdir(artifactDir, { recursive: true }), mkdir(path.join(work, 'tmp'), { recursive: true })]);
  // Arbitrary seeds are structured-clone values, not choice sequences: they cannot seed libFuzzer.
  if (opts.scenario.input.type !== 'arbitrary') {
    await Promise.all(opts.seeds.map((s) => writeFile(path.join(corpusDir, `seed-${contentId(s)}`), s)));
  }
  const dictionary = opts.scenario.input.type === 'arbitrary' ? [] : opts.scenario.input.dictionary;
  await writeFile(path.join(work, 'dictionary.txt'), libFuzzerDictionary(dictionary));
}

async function writeEntryConfig(opts: JazzerExploreOptions, work: string, reportFile: string): Promise<void> {
  const config: JazzerEntryConfig = {
    scenarioFile: opts.scenario.file,
    scenarioIndex: opts.scenario.index,
    inputType: opts.scenario.input.type,
    perCallMs: opts.scenario.slo.perCallMs,
    seed: opts.seed,
    reportFile,
  };
  await writeFile(path.join(work, 'entry-config.json'), JSON.stringify(config));
}

/** Jazzer CLI arguments, argv only (never a shell string). */
export function jazzerArgs(opts: { scenario: ResolvedScenario; seed: number; packages: string[] }, entry: string, corpusDir: string, artifactDir: string, dictFile: string, seconds: number): string[] {
  const { scenario } = opts;
  const includes = [scenario.file, ...opts.packages.map((p) => `node_modules/${p}/`)].flatMap((i) => ['-i', i]);
  const maxLen = scenario.input.type === 'arbitrary' ? Math.min(4096, scenario.input.maxLength) : scenario.input.maxLength;
  return [
    entry,
    corpusDir,
    ...includes,
    '--sync',
    `--timeout=${Math.max(1, Math.round(scenario.timeoutMs))}`,
    '--',
    `-seed=${opts.seed === 0 ? 1 : opts.seed}`,
    `-max_total_time=${seconds}`,
    `-max_len=${maxLen}`,
    `-artifact_prefix=${artifactDir}${path.sep}`,
    ...(scenario.input.type === 'arbitrary' || scenario.input.dictionary.length === 0 ? [] : [`-dict=${dictFile}`]),
  ];
}

/**
 * One Jazzer.js child. Its start-up (CLI, tsx, instrumentation: ~3 s, much more on a loaded
 * machine) is not exploration, so the fuzzing clock starts at the first call (the entry's
 * first report line) and the child is killed `fuzzMs` later; libFuzzer's -max_total_time
 * is only a backstop. A child that has not called the target after STARTUP_LIMIT_MS is killed.
 */
function runOnce(opts: JazzerExploreOptions, work: string, corpusDir: string, artifactDir: string, reportFile: string, fuzzMs: number): Promise<ChildOutcome> {
  const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('@jazzer.js/core'))), 'cli.js');
  const seconds = Math.max(1, Math.ceil(fuzzMs / 1000) + 1);
  const args = ['--import', tsxLoader(), cli, ...jazzerArgs(opts, ENTRY, corpusDir, artifactDir, path.join(work, 'dictionary.txt'), seconds)];
  // Jazzer writes temporary files (merged dictionaries) that a SIGKILL leaves behind: keep them in `work`.
  const env: NodeJS.ProcessEnv = { ...process.env, SLO_JAZZER_CONFIG: path.join(work, 'entry-config.json'), NODE_OPTIONS: '', TMPDIR: path.join(work, 'tmp') };
  return new Promise((resolve) => {
    // Own process group: libFuzzer's forks and the target's own children are stopped with it.
    const child = spawn(process.execPath, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const untrack = trackChild(child, 'jazzer');
    const spawnedAt = performance.now();
    let tail = '';
    let killed = false;
    let firstCallAt: number | null = null;
    child.stderr?.on('data', (chunk: Buffer) => {
      if (process.env['SLO_JAZZER_DEBUG']) process.stderr.write(`[jazzer +${Math.round(performance.now() - spawnedAt)} ms] ${chunk.toString('utf8').split('\n')[0]}\n`);
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    });
    // --sync ignores SIGTERM: SIGKILL is the only stop. The corpus is on disk already.
    const kill = (): void => {
      killed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const clock = setInterval(() => {
      const now = performance.now();
      if (firstCallAt === null && existsSync(reportFile)) firstCallAt = now;
      const deadline = firstCallAt === null ? spawnedAt + STARTUP_LIMIT_MS : firstCallAt + fuzzMs;
      if (now >= deadline) kill();
    }, CLOCK_TICK_MS);
    opts.signal?.addEventListener('abort', kill, { once: true });
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearInterval(clock);
      opts.signal?.removeEventListener('abort', kill);
      untrack();
      const fuzzedMs = firstCallAt === null ? 0 : performance.now() - firstCallAt;
      resolve({ code, signal, stderrTail: tail, killed, fuzzedMs });
    };
    child.on('error', (error) => {
      tail += `\n${error.message}`;
      finish(null, null);
    });
    child.on('exit', finish);
  });
}

const ARTIFACT_KINDS: Array<[prefix: string, kind: FindingKindWire]> = [
  ['timeout-', 'timeout'],
  ['crash-', 'crash'],
  ['oom-', 'oom'],
];

/**
 * Reports and removes libFuzzer's artifacts; returns how many there were. An input that
 * hung or crashed is also removed from the corpus folder: the next start would replay it
 * first and stop again.
 */
async function collectArtifacts(opts: JazzerExploreOptions, artifactDir: string, corpusDir: string): Promise<number> {
  let names: string[] = [];
  try {
    names = await readdir(artifactDir);
  } catch {
    return 0;
  }
  let count = 0;
  for (const name of names.sort()) {
    const match = ARTIFACT_KINDS.find(([prefix]) => name.startsWith(prefix));
    const file = path.join(artifactDir, name);
    if (match) {
      const [, kind] = match;
      const raw = new Uint8Array(await readFile(file));
      await removeFromCorpus(corpusDir, raw);
      const input = await opts.toSavedEncoding(raw);
      const timeoutMs = opts.scenario.timeoutMs;
      opts.onFinding({
        type: 'finding',
        kind,
        input,
        // libFuzzer's -timeout counts whole seconds: the call ran at least that long.
        latencyMs: kind === 'timeout' ? Math.ceil(timeoutMs / 1000) * 1000 : 0,
        confirmMs: [],
        message: kind === 'timeout' ? `call did not return within the ${timeoutMs} ms timeout under Jazzer.js; libFuzzer stopped it` : `Jazzer.js reported a ${kind} (${name})`,
        stack: null,
        signature: `${kind}:${contentId(input)}`,
      });
      count++;
    }
    await unlink(file).catch(() => undefined);
  }
  return count;
}

async function removeFromCorpus(corpusDir: string, bytes: Uint8Array): Promise<void> {
  const id = contentId(bytes);
  for (const name of await readdir(corpusDir).catch(() => [] as string[])) {
    const file = path.join(corpusDir, name);
    const content = await readFile(file).catch(() => null);
    if (content && content.length === bytes.length && contentId(content) === id) await unlink(file).catch(() => undefined);
  }
}

/** libFuzzer's kept inputs (newest first, seeds excluded, bounded). */
async function readCorpus(corpusDir: string, seedIds: Set<string>): Promise<Uint8Array[]> {
  let names: string[] = [];
  try {
    names = await readdir(corpusDir);
  } catch {
    return [];
  }
  const entries = await Promise.all(
    names.map(async (name) => {
      const file = path.join(corpusDir, name);
      const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
      return { bytes: new Uint8Array(bytes), mtime: info.mtimeMs };
    }),
  );
  return entries
    .filter((e) => !seedIds.has(contentId(e.bytes)))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, MAX_CORPUS)
    .map((e) => e.bytes);
}

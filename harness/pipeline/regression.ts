/**
 * `slo-harness run --regression`: every saved violation in corpora/<scenario>/violations/
 * is replayed with the probe isolate (first calls in k warm workers, so a memoising
 * target cannot hide it) and judged against the scenario's CURRENT per-call budget:
 * still-failing (median first-call latency over the budget, or it still crashes) or fixed.
 * Alone, the flag replays only; with --budget the fuzz phase runs afterwards as usual
 * (the nightly job does both), and the replay verdicts are merged into its results.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CorpusStore, readViolation, type ViolationRecord } from '../engine/corpus.ts';
import { encodingFor } from '../engine/feeders.ts';
import { createLatencyHistogram, msToUs } from '../measure/histogram.ts';
import type { Finding, FindingKind, RegressionEntry, RegressionSummary, ResultsFile, ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import type { ProbeCall } from '../drivers/isolate/probe-protocol.ts';
import { CALL_POLICIES, judgeCall } from '../measure/call-judgement.ts';
import { startProbe, type FirstCallProbe } from '../drivers/isolate/probe.ts';
import { assembleResults, newRunId, runAll, type RunAllOptions } from './run-all.ts';
import { relativeToCwd } from '../core/display-path.ts';
import { buildFinding } from './finding.ts';
import { buildScenarioResult } from './scenario-result.ts';

const CRASH_KINDS = new Set(['crash', 'exit', 'oom']);

export interface ReplayJudgement {
  status: 'still-failing' | 'fixed';
  detail: string;
}

/**
 * One rule for every kind: still failing when the median first-call latency exceeds the
 * per-call budget or most calls timed out, when any call crashed (crash, exit, out of memory), or, for a recorded
 * unexpected throw, when any call still throws.
 */
export function judgeReplay(kind: string, calls: readonly ProbeCall[], perCallMs: number): ReplayJudgement {
  const timeouts = calls.filter((c) => c.kind === 'timeout').length;
  const judged = judgeCall(calls.map((c) => c.ms), perCallMs, CALL_POLICIES.regression, timeouts);
  const median = judged.medianMs;
  const crashed = calls.find((c) => CRASH_KINDS.has(c.kind));
  const threw = calls.find((c) => c.kind === 'threw');
  const latency = `median first-call latency ${median.toFixed(1)} ms (${calls.length} calls${timeouts ? `, ${timeouts} timed out` : ''}) vs budget ${perCallMs} ms`;
  if (crashed) return { status: 'still-failing', detail: `${crashed.kind}: ${crashed.message ?? ''}` };
  if (kind === 'error' && threw) return { status: 'still-failing', detail: `still throws ${threw.message ?? ''}` };
  if (judged.violates) return { status: 'still-failing', detail: latency };
  return { status: 'fixed', detail: latency };
}

interface Replayed {
  entry: RegressionEntry;
  record: ViolationRecord | null;
  input: Uint8Array | null;
}

function errorEntry(metaFile: string, cwd: string, perCallMs: number, detail: string): Replayed {
  const entry: RegressionEntry = { id: path.basename(metaFile, '.json'), kind: 'slow', metaFile: relativeToCwd(cwd, metaFile), latenciesMs: [], medianMs: 0, budgetMs: perCallMs, status: 'error', detail };
  return { entry, record: null, input: null };
}

async function realOrSelf(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * Why a record may not be replayed with this scenario, or null. The scenario run is the one
 * the user named; a record naming another scenario (by name or by file) is reported, never
 * executed: a record is data that arrived with the repository, not a choice of code to run.
 */
async function foreignScenario(record: ViolationRecord, metaFile: string, scenario: ResolvedScenario, cwd: string): Promise<string | null> {
  if (record.scenario !== scenario.name) {
    return `the record names scenario ${JSON.stringify(record.scenario)}, not ${JSON.stringify(scenario.name)}, the scenario of this run; it is not replayed\n  fix: move it to that scenario's corpora/<scenario>/violations/ folder, or delete it`;
  }
  const named = path.resolve(path.dirname(metaFile), record.scenarioFile);
  if ((await realOrSelf(named)) !== (await realOrSelf(scenario.file))) {
    return `the record names scenario file ${relativeToCwd(cwd, named)}, not ${relativeToCwd(cwd, scenario.file)}, the file of this run; it is not replayed\n  fix: run \`slo-harness run <that scenario file> --regression\` if it is yours, or delete the record`;
  }
  return null;
}

/** A record read, validated and found to belong to the scenario run: ready to measure. */
interface Replayable {
  metaFile: string;
  record: ViolationRecord;
  input: Uint8Array;
}

/**
 * Reads every saved violation of `scenario` before anything runs: a record that cannot be
 * read or belongs elsewhere becomes an error entry (in file order among the rest).
 */
export async function readSavedViolations(scenario: ResolvedScenario, cwd: string): Promise<Array<Replayable | Replayed>> {
  const corpus = new CorpusStore(scenario.input.corpusDir);
  const perCallMs = scenario.slo.perCallMs;
  let metaFiles: string[];
  try {
    metaFiles = await corpus.listViolations();
  } catch (error) {
    // A violations/ folder that leads out of the corpus: reported, nothing in it is read.
    return [errorEntry(corpus.violationsDir, cwd, perCallMs, (error as Error).message)];
  }
  const out: Array<Replayable | Replayed> = [];
  for (const metaFile of metaFiles) {
    try {
      const { record, input } = await readViolation(metaFile);
      const foreign = await foreignScenario(record, metaFile, scenario, cwd);
      out.push(foreign ? errorEntry(metaFile, cwd, perCallMs, foreign) : { metaFile, record, input });
    } catch (error) {
      out.push(errorEntry(metaFile, cwd, perCallMs, (error as Error).message));
    }
  }
  return out;
}

const isReplayable = (r: Replayable | Replayed): r is Replayable => 'metaFile' in r;

/** Measures the replayable records with `probe`; error entries pass through. */
async function measureSaved(saved: Array<Replayable | Replayed>, scenario: ResolvedScenario, probe: FirstCallProbe, cwd: string): Promise<Replayed[]> {
  const perCallMs = scenario.slo.perCallMs;
  const out: Replayed[] = [];
  for (const item of saved) {
    if (!isReplayable(item)) {
      out.push(item);
      continue;
    }
    const { metaFile, record, input } = item;
    try {
      const measured = await probe.measure(input);
      const judged = judgeReplay(record.kind, measured.calls, perCallMs);
      const entry: RegressionEntry = {
        id: record.id,
        kind: record.kind as FindingKind,
        metaFile: relativeToCwd(cwd, metaFile),
        latenciesMs: measured.latenciesMs,
        medianMs: measured.medianMs,
        budgetMs: perCallMs,
        ...judged,
      };
      out.push({ entry, record, input });
    } catch (error) {
      out.push(errorEntry(metaFile, cwd, perCallMs, (error as Error).message));
    }
  }
  return out;
}

/** Replays every violation saved for `scenario` with `probe`; a record that cannot be read or belongs elsewhere is an error entry. */
export async function replayViolations(scenario: ResolvedScenario, probe: FirstCallProbe, cwd: string): Promise<Replayed[]> {
  return measureSaved(await readSavedViolations(scenario, cwd), scenario, probe, cwd);
}

export function summarise(replayed: readonly Replayed[]): RegressionSummary {
  const entries = replayed.map((r) => r.entry);
  return {
    replayed: entries.length,
    stillFailing: entries.filter((e) => e.status === 'still-failing').length,
    fixed: entries.filter((e) => e.status === 'fixed').length,
    errors: entries.filter((e) => e.status === 'error').length,
    entries,
  };
}

/** A still-failing violation as a finding, so reports, JUnit and the console list it. */
function asFinding(r: Replayed, cwd: string, cli: string, corpus: CorpusStore): Finding | null {
  if (r.entry.status !== 'still-failing' || !r.record || !r.input) return null;
  const { record, input, entry } = r;
  const finding = buildFinding({
    id: record.id,
    kind: entry.kind,
    latencyMs: entry.medianMs,
    budgetMs: entry.budgetMs,
    message: `regression: still failing: ${entry.detail}`,
    stack: record.stack,
    input,
    encoding: record.encoding,
    inputFile: corpus.violationInputFile(record.id),
    // entry.metaFile is already shown relative to cwd: resolving it gives the builder the file back.
    metaFile: path.resolve(cwd, entry.metaFile),
    cwd,
    replay: { cli },
    firstSeenAt: record.foundAt,
    occurrences: 1,
  });
  return {
    ...finding,
    firstCallLatenciesMs: entry.latenciesMs,
    ...(record.growth ? { growth: record.growth } : {}),
    ...(record.shrunkFrom ? { shrunkFrom: record.shrunkFrom.size, originalId: record.shrunkFrom.id } : {}),
  };
}

export interface RegressionOptions {
  seed: number;
  cwd: string;
  cli: string;
  log?: (line: string) => void;
  /** Probe workers, i.e. first calls per violation (default 3). */
  workers?: number;
}

/** Replays one scenario's violations; `findings` lists the still-failing ones. */
export async function regressionFor(scenario: ResolvedScenario, opts: RegressionOptions): Promise<{ summary: RegressionSummary; findings: Finding[]; latenciesMs: number[] }> {
  const corpus = new CorpusStore(scenario.input.corpusDir);
  if ('kind' in scenario && scenario.kind === 'service') return { summary: summarise([]), findings: [], latenciesMs: [] };
  const saved = await readSavedViolations(scenario, opts.cwd);
  // The target is loaded only when a record is fit to replay: nothing else needs it.
  const replayed = saved.some(isReplayable) ? await measureWithProbe(saved, scenario, corpus, opts) : saved.filter((r): r is Replayed => !isReplayable(r));
  for (const r of replayed) opts.log?.(`  regression ${r.entry.status.padEnd(13)} ${r.entry.kind} ${r.entry.metaFile}: ${r.entry.detail}`);
  const findings = replayed.map((r) => asFinding(r, opts.cwd, opts.cli, corpus)).filter((f): f is Finding => f !== null);
  return { summary: summarise(replayed), findings, latenciesMs: replayed.flatMap((r) => r.entry.latenciesMs) };
}

async function measureWithProbe(saved: Array<Replayable | Replayed>, scenario: ResolvedScenario, corpus: CorpusStore, opts: RegressionOptions): Promise<Replayed[]> {
  const seeds = await corpus.loadSeeds(encodingFor(scenario.input.type));
  const probe = await startProbe(scenario, { workers: opts.workers ?? 3, seed: opts.seed, warmup: seeds.slice(0, 8) });
  try {
    return await measureSaved(saved, scenario, probe, opts.cwd);
  } finally {
    await probe.close();
  }
}

/** A scenario result made of replays alone (no fuzz phase): no SLO verdicts, only the violations' fate. */
export function regressionOnlyResult(scenario: ResolvedScenario, seed: number, cwd: string, outcome: Awaited<ReturnType<typeof regressionFor>>, durationMs: number): ScenarioResult {
  const histogram = createLatencyHistogram();
  for (const ms of outcome.latenciesMs) histogram.recordValue(msToUs(ms));
  const { summary } = outcome;
  const failed = summary.stillFailing + summary.errors > 0;
  const result = buildScenarioResult(
    scenario,
    {
      cwd,
      seed,
      engine: { requested: scenario.engine, used: 'regression-replay', note: 'saved violations replayed with first calls in the probe isolate; no fuzz phase' },
      seeds: 0,
      budget: { durationMs: 0, calls: summary.replayed },
      status: 'complete',
      statusReason: summary.errors > 0 ? `${summary.errors} saved violation(s) could not be replayed` : null,
      durationMs,
      histogram,
      callsPerSecond: histogram.totalCount / Math.max(durationMs / 1000, 1e-3),
      restarts: 0,
      slos: [],
      verdict: failed ? 'FAIL' : 'PASS',
      findings: outcome.findings,
    },
    { regression: summary },
  );
  histogram.destroy();
  return result;
}

/** Merges replay verdicts into a fuzz-phase result: still-failing violations are findings too. */
export function mergeRegression(result: ScenarioResult, outcome: Awaited<ReturnType<typeof regressionFor>>): ScenarioResult {
  const known = new Set(result.findings.map((f) => f.id));
  const findings = [...result.findings, ...outcome.findings.filter((f) => !known.has(f.id))];
  const failed = outcome.summary.stillFailing + outcome.summary.errors > 0;
  return { ...result, findings, verdict: failed ? 'FAIL' : result.verdict, regression: outcome.summary };
}

/**
 * A drop-in for runAll when --regression is given: replays every scenario's saved
 * violations first (before a fuzz phase can add new ones), then runs the fuzz phase when
 * `fuzz` is set, and merges.
 */
export function regressionRunner(fuzz: boolean, log?: (line: string) => void): (scenarios: ResolvedScenario[], opts: RunAllOptions) => Promise<ResultsFile> {
  return async (scenarios, opts) => {
    const cwd = opts.cwd ?? process.cwd();
    const cli = opts.cliName ?? 'npx slo-harness';
    const startedAt = new Date();
    const runId = newRunId(startedAt);
    const outcomes = new Map<string, Awaited<ReturnType<typeof regressionFor>>>();
    const replayOnly: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      if (opts.signal?.aborted) break;
      const seed = scenario.seed ?? opts.seed;
      log?.(`> ${scenario.name}: replaying saved violations`);
      const t0 = performance.now();
      const outcome = await regressionFor(scenario, { seed, cwd, cli, ...(log ? { log } : {}) });
      log?.(`  ${outcome.summary.replayed} replayed: ${outcome.summary.stillFailing} still failing, ${outcome.summary.fixed} fixed${outcome.summary.errors ? `, ${outcome.summary.errors} unreadable` : ''}`);
      outcomes.set(scenario.name, outcome);
      if (!fuzz) {
        const result = regressionOnlyResult(scenario, seed, cwd, outcome, performance.now() - t0);
        replayOnly.push(result);
        await opts.onScenarioDone?.(result, assembleResults(replayOnly, { id: runId, startedAt, seed: opts.seed, argv: opts.argv, interrupted: false }));
      }
    }
    const interrupted = opts.signal?.aborted ?? false;
    if (!fuzz) return assembleResults(replayOnly, { id: runId, startedAt, seed: opts.seed, argv: opts.argv, interrupted });
    const fuzzed = await runAll(scenarios, opts);
    const merged = fuzzed.scenarios.map((s) => {
      const outcome = outcomes.get(s.name);
      return outcome ? mergeRegression(s, outcome) : s;
    });
    return assembleResults(merged, { id: fuzzed.run.id, startedAt, seed: opts.seed, argv: opts.argv, interrupted: fuzzed.run.status === 'interrupted' });
  };
}

/**
 * Post-processing of a run's findings with the probe isolate (first-call measurements):
 *   slow     confirm (median of k first calls > per-call budget x margin) -> shrink toward
 *            the budget -> growth fit -> save the minimised violation (the original stays
 *            under its own id) and update the finding. Unconfirmed: dropped from results,
 *            counted, and moved from violations/ to interesting/ (nothing lost).
 *   timeout  confirmed and shrunk the same way within the time cap (a ReDoS hang shrinks
 *            to a small slow input); unconfirmed ones are kept as found.
 *   crash/exit/oom/error  replayed once per probe worker and annotated; never dropped.
 * Clock and probe are injected, so the pipeline is tested with a synthetic cost function.
 */
import { performance } from 'node:perf_hooks';
import { contentId, readViolation, type CorpusStore } from '../engine/corpus.ts';
import type { InputEncoding } from '../engine/feeders.ts';
import { maxCountFor, renderPattern, type PumpPattern } from '../search/pattern.ts';
import { allRepetitions, asNesting, pairedRuns, pickPattern } from '../search/pattern-find.ts';
import { createRng } from '../core/rng.ts';
import type { Finding, GrowthFit as GrowthResult, MinimisationSummary } from '../core/results-schema.ts';
import { collectGrowthPoints, fitGrowth, type GrowthPoint } from '../search/growth.ts';
import { groupIntoFamilies } from '../search/families.ts';
import { bytesKey } from '../search/oracle.ts';
import { shrinkBytes } from '../search/shrink.ts';
import { createFirstCallOracle, startSlot } from '../drivers/isolate/probe-oracle.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import { startProbe, type FirstCallProbe } from '../drivers/isolate/probe.ts';
import { isDiskFault } from '../core/write-failures.ts';
import { CALL_POLICIES, judgeCall } from '../measure/call-judgement.ts';
import { saveMinimised } from './minimise-save.ts';

/** What the minimiser needs to know about the scenario (a subset of ResolvedScenario). */
export interface MinimiseScenario {
  name: string;
  perCallMs: number;
  timeoutMs: number;
  maxLength: number;
}

export interface MinimiseOptions {
  scenario: MinimiseScenario;
  probe: FirstCallProbe;
  corpus: CorpusStore;
  encoding: InputEncoding;
  seed: number;
  /** Time cap per finding, ms (default 30 s). */
  capPerFindingMs?: number;
  /** Time cap for all findings of the scenario, ms (default 4 x the per-finding cap). */
  capTotalMs?: number;
  /** Confirmation margin: violation means median > budget x margin (default 1.1). */
  margin?: number;
  /**
   * Margin the minimal input must still clear (default 1.5). Shrinking stops where the
   * input is only just over the line; on a noisy machine an input at 1.1x the budget
   * flips between runs, so the saved one keeps room to reproduce.
   */
  shrinkMargin?: number;
  /** Oracle questions per shrink at most (default 1000). */
  maxOracleCalls?: number;
  /** Working directory for relative paths, and how a user invokes the CLI (replay commands). */
  cwd: string;
  cli: string;
  /** Clock (ms); injected by tests. */
  now?: () => number;
  shouldStop?: () => boolean;
}

export interface MinimiseOutcome {
  /** The findings to report, in their original order (unconfirmed slow ones removed). */
  findings: Finding[];
  summary: MinimisationSummary;
}

const LATENCY_KINDS = new Set(['slow', 'timeout']);

/** A deadline checker built on the injected clock. */
function deadline(now: () => number, ms: number, outer: () => boolean): () => boolean {
  const end = now() + ms;
  return () => now() >= end || outer();
}

export async function minimiseFindings(findings: Finding[], opts: MinimiseOptions): Promise<MinimiseOutcome> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const perFinding = opts.capPerFindingMs ?? 30_000;
  const allDone = deadline(now, opts.capTotalMs ?? perFinding * 4, opts.shouldStop ?? (() => false));
  const confirmedByFamily = new Map<string, Finding>();
  const summary: MinimisationSummary = { confirmed: 0, unconfirmed: 0, minimised: 0, keptRaw: 0, timeSpentMs: 0, probeWorkers: opts.probe.workers, error: null };
  const out: Finding[] = [];
  const ordered = await inFamilies(findings, opts);
  for (const { finding, family } of ordered) {
    // A confirmed member of the same family stands for this one: no second minimisation.
    const representative = family ? confirmedByFamily.get(family) : undefined;
    if (representative) {
      representative.occurrences += finding.occurrences;
      (representative.variants ??= []).push(finding.id);
      summary.variants = (summary.variants ?? 0) + 1;
      continue;
    }
    if (allDone()) {
      // Out of time. Once a slow finding is confirmed the verdict stands; listing dozens of
      // unexamined candidates beside it would bury it, so they are named in the summary
      // (their inputs stay in violations/ for the next run and --regression). Without a
      // confirmed one, the candidates are all the run has: they stay findings, as found.
      if (finding.kind === 'slow' && out.some((f) => f.kind === 'slow' && f.firstCallLatenciesMs !== undefined)) {
        (summary.unexamined ??= []).push(finding.id);
        continue;
      }
      summary.keptRaw++;
      out.push(finding);
      continue;
    }
    try {
      // Shrinking gets 70% of the cap and the growth fit 30% from the moment the shrink
      // ends, so a shrink that overruns its deadline (one question can take seconds near
      // the timeout) cannot starve the fit.
      const shrinkStop = deadline(now, perFinding * 0.7, allDone);
      const growthStop = () => deadline(now, perFinding * 0.3, allDone);
      const findingStarted = now();
      const result = await processFinding(finding, opts, shrinkStop, growthStop, () => now() - findingStarted);
      if (result.outcome === 'unconfirmed') summary.unconfirmed++;
      else if (result.outcome === 'raw') summary.keptRaw++;
      else summary.confirmed++;
      if (result.outcome === 'minimised') summary.minimised++;
      if (result.finding) {
        const kept = addUnique(out, result.finding);
        if (family && (result.outcome === 'confirmed' || result.outcome === 'minimised')) confirmedByFamily.set(family, kept);
      }
    } catch (error) {
      summary.keptRaw++;
      summary.error ??= (error as Error).message;
      out.push(finding);
    }
  }
  summary.timeSpentMs = now() - started;
  return { findings: out, summary };
}

/** Several findings often shrink to the same minimal input: report it once, with their occurrences summed. */
function addUnique(out: Finding[], finding: Finding): Finding {
  const same = out.find((f) => f.id === finding.id);
  if (!same) {
    out.push(finding);
    return finding;
  }
  same.occurrences += finding.occurrences;
  return same;
}

/**
 * Slow and timeout findings grouped by shape (search/families.ts), smallest input first
 * within a family and across families, so the first member to confirm is the cheapest to
 * shrink and the rest become its variants. Other kinds keep their place and have no family.
 */
async function inFamilies(findings: Finding[], opts: MinimiseOptions): Promise<Array<{ finding: Finding; family: string | null }>> {
  const latency: Array<{ finding: Finding; input: Uint8Array }> = [];
  const others: Array<{ finding: Finding; family: null }> = [];
  for (const finding of findings) {
    if (!LATENCY_KINDS.has(finding.kind)) {
      others.push({ finding, family: null });
      continue;
    }
    try {
      latency.push({ finding, input: (await readViolation(opts.corpus.violationMetaFile(finding.id))).input });
    } catch {
      others.push({ finding, family: null });
    }
  }
  // Families go smallest first too: with the total cap shared, the small ones shrink in
  // a few questions each, and one 2 KB input must not use up the time of all the rest.
  const families = groupIntoFamilies(latency, (entry) => entry.input).map((family) => ({
    key: family.key,
    members: [...family.members].sort((a, b) => a.input.length - b.input.length),
  }));
  const smallest = (family: (typeof families)[number]): number => family.members[0]?.input.length ?? 0;
  const grouped = families
    .sort((a, b) => smallest(a) - smallest(b))
    .flatMap((family) => family.members.map(({ finding }) => ({ finding, family: `${finding.kind}:${family.key}` })));
  return [...grouped, ...others];
}

type Processed = { outcome: 'unconfirmed' | 'raw' | 'confirmed' | 'minimised'; finding: Finding | null };

async function processFinding(
  finding: Finding,
  opts: MinimiseOptions,
  shrinkStop: () => boolean,
  growthStop: () => () => boolean,
  elapsed: () => number,
): Promise<Processed> {
  const { record, input } = await readViolation(opts.corpus.violationMetaFile(finding.id));
  if (!LATENCY_KINDS.has(finding.kind)) return { outcome: 'raw', finding: await annotateCrash(finding, input, opts) };
  const oracle = createFirstCallOracle<Uint8Array>(async (bytes, slot) => (await opts.probe.measureOne(bytes, slot)).ms, {
    budgetMs: opts.scenario.perCallMs,
    margin: opts.margin ?? CALL_POLICIES.confirm.margin,
    repeats: opts.probe.workers,
    key: bytesKey,
  });
  const original = await opts.probe.measure(input);
  if (!(await oracle(input))) {
    if (finding.kind === 'timeout') return { outcome: 'raw', finding: { ...finding, message: `${finding.message ?? ''} (not reproduced on first calls in the probe: median ${original.medianMs.toFixed(1)} ms)` } };
    // A violation an earlier run confirmed stays in violations/: the regression suite judges it.
    // A disk that refuses the move leaves the violation where it is: nothing is lost, and the
    // regression suite judges it next time.
    if (record.firstCallLatenciesMs === undefined) await opts.corpus.demoteViolation(finding.id, input).catch((error: unknown) => {
      if (!isDiskFault(error)) throw error;
    });
    return { outcome: 'unconfirmed', finding: null };
  }
  const shrinkOracle = createFirstCallOracle<Uint8Array>(async (bytes, slot) => (await opts.probe.measureOne(bytes, slot)).ms, {
    budgetMs: opts.scenario.perCallMs,
    margin: opts.shrinkMargin ?? CALL_POLICIES.shrink.margin,
    repeats: opts.probe.workers,
    key: bytesKey,
  });
  // A candidate is accepted only if every worker's first call is also over the budget (the
  // `reproduce` policy: the winner's curse of shrinking), so the saved input reproduces.
  // A call killed at the timeout needs no second opinion: one is enough, and each costs a
  // worker replacement.
  const accept = async (bytes: Uint8Array): Promise<boolean> => {
    const first = await opts.probe.measureOne(bytes, startSlot(bytesKey(bytes), opts.probe.workers));
    if (first.kind === 'timeout') return true;
    return (await shrinkOracle(bytes)) && judgeCall((await opts.probe.measure(bytes)).latenciesMs, opts.scenario.perCallMs, CALL_POLICIES.reproduce).violates;
  };
  const minimal = await shrink(input, accept, opts, shrinkStop);
  const measured = await opts.probe.measure(minimal);
  const growth = opts.encoding === 'v8' ? undefined : await growthOf(minimal, opts, growthStop());
  const kept = await saveMinimised(finding, record, input, minimal, measured, original, growth, elapsed(), opts);
  // A shrink whose input the disk refused leaves the finding as found: confirmed, not minimised.
  const shrinkLost = kept.id === finding.id && contentId(minimal) !== finding.id;
  return { outcome: minimal.length < input.length && !shrinkLost ? 'minimised' : 'confirmed', finding: kept };
}

/** Shrinks while `stop` allows: bytes and strings here, structured values in the probe host. */
async function shrink(input: Uint8Array, oracle: (b: Uint8Array) => Promise<boolean>, opts: MinimiseOptions, stop: () => boolean): Promise<Uint8Array> {
  const maxOracleCalls = opts.maxOracleCalls ?? 1000;
  if (opts.encoding === 'v8') {
    // The arbitrary's shrinker lives where the scenario was loaded: the probe host. Its
    // clock is its own, so it gets a fixed share of the cap rather than our deadline.
    const reply = await opts.probe.shrinkArbitrary({ input, budgetMs: opts.scenario.perCallMs, margin: opts.shrinkMargin ?? CALL_POLICIES.shrink.margin, maxMs: (opts.capPerFindingMs ?? 30_000) * 0.7, maxOracleCalls });
    return reply.initialViolates ? reply.input : input;
  }
  const result = await shrinkBytes(input, oracle, { maxOracleCalls, shouldStop: stop, maxRounds: 4 });
  // String inputs: a shrink may split a UTF-8 sequence; the bytes stay the input's identity
  // and decode the same way (with a replacement character) in every replay.
  return result.value;
}

/**
 * The pattern to pump in a minimal input: a nesting first, then two runs of about the same
 * count pumped together (a glob's stars and its text), then the longest repetition, else a
 * seeded pick.
 */
export function growthPattern(minimal: Uint8Array, seed: number): PumpPattern | null {
  const reps = allRepetitions(minimal, 32, 12);
  for (const rep of reps) {
    const nest = asNesting(minimal, rep);
    if (nest) return nest;
  }
  const pair = pairedRuns(minimal, reps);
  if (pair) return pair;
  if (reps[0]) return reps[0];
  return pickPattern(minimal, createRng(seed));
}

class Stopped extends Error {}

/** Pumps the minimal input at growing n, measuring first calls, and fits polynomial vs exponential. */
export async function growthOf(minimal: Uint8Array, opts: Pick<MinimiseOptions, 'probe' | 'scenario' | 'seed'>, stop: () => boolean): Promise<GrowthResult | undefined> {
  const pattern = growthPattern(minimal, opts.seed);
  if (!pattern) return undefined;
  const points: GrowthPoint[] = [];
  // collectGrowthPoints steps n by +1 near the budget (right for exponential patterns of a
  // few repetitions); a run of 100 one-byte repetitions would then crawl byte by byte.
  // Counting in units of ~1/8 of the minimal count keeps every step a visible change.
  const unit = Math.max(1, Math.round(pattern.count / 8));
  const measureAt = async (n: number): Promise<number> => {
    if (stop()) throw new Stopped();
    const bytes = renderPattern(pattern, n * unit);
    const latencyMs = (await opts.probe.measure(bytes)).medianMs;
    points.push({ n: bytes.length, latencyMs });
    return latencyMs;
  };
  const maxLength = Math.max(opts.scenario.maxLength, minimal.length * 8);
  try {
    await collectGrowthPoints(measureAt, {
      startN: Math.max(2, Math.round(pattern.count / unit)),
      budgetMs: opts.scenario.perCallMs,
      maxN: Math.floor(maxCountFor(pattern, maxLength) / unit),
      maxPoints: 10,
    });
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
  }
  try {
    const fit = fitGrowth(points);
    const crossingN = fit.predictedCrossingSize(opts.scenario.perCallMs);
    return {
      class: fit.class,
      exponentOrBase: fit.class === 'exponential' ? (fit.b ?? 0) : fit.class === 'constant' ? 0 : fit.class === 'linear' ? 1 : (fit.k ?? 0),
      r2: fit.r2,
      points,
      predictedCrossingSize: crossingN,
    };
  } catch {
    return undefined; // fewer than 3 usable points
  }
}

/** Crashes, exits, OOMs and unexpected throws: replayed once per probe worker, annotated, never dropped. */
async function annotateCrash(finding: Finding, input: Uint8Array, opts: MinimiseOptions): Promise<Finding> {
  const measured = await opts.probe.measure(input);
  const wanted = finding.kind === 'error' ? 'threw' : finding.kind;
  const reproduced = measured.calls.filter((c) => c.kind === wanted).length;
  const note = `reproduced on ${reproduced} of ${measured.calls.length} first calls in the probe`;
  return { ...finding, message: `${finding.message ?? ''} (${note})` };
}

export interface ScenarioMinimiseOptions {
  seed: number;
  corpus: CorpusStore;
  encoding: InputEncoding;
  /** The scenario's measured-phase budget: the per-finding cap is this, clamped to 10-30 s. */
  durationMs: number;
  /** Corpus seeds: each probe worker calls them once to warm up. */
  seeds: Uint8Array[];
  cwd: string;
  cli: string;
  signal?: AbortSignal;
  /** Probe workers (default 3). */
  workers?: number;
}

/**
 * Runs after the fuzz phase: starts a probe for the scenario, confirms/shrinks/fits its
 * findings, and replaces the entries of `findings` (keyed by the id they were found
 * under) with the results; unconfirmed ones are deleted. Findings are left as found when
 * the probe cannot start. Returns undefined when there was nothing to do.
 */
export async function minimiseScenarioFindings(
  scenario: ResolvedScenario,
  findings: Map<string, Finding>,
  opts: ScenarioMinimiseOptions,
): Promise<MinimisationSummary | undefined> {
  if (findings.size === 0 || ('kind' in scenario && scenario.kind === 'service')) return undefined;
  const started = performance.now();
  const workers = opts.workers ?? 3;
  let probe: FirstCallProbe;
  try {
    // Warm-up on a few seeds: the first call of a cold worker also pays for lazy compilation.
    probe = await startProbe(scenario, { workers, seed: opts.seed, warmup: opts.seeds.slice(0, 8) });
  } catch (error) {
    const message = `probe failed to start: ${(error as Error).message}`;
    return { confirmed: 0, unconfirmed: 0, minimised: 0, keptRaw: findings.size, timeSpentMs: performance.now() - started, probeWorkers: workers, error: message };
  }
  // Per finding: the run's budget, but at least 10 s (a short fuzz phase still deserves a
  // real shrink) and at most 30 s; all findings together: at most 2 minutes.
  const cap = Math.min(30_000, Math.max(10_000, opts.durationMs));
  try {
    const entries = [...findings.entries()];
    const { findings: processed, summary } = await minimiseFindings(
      entries.map(([, f]) => f),
      {
        scenario: { name: scenario.name, perCallMs: scenario.slo.perCallMs, timeoutMs: scenario.timeoutMs, maxLength: scenario.input.maxLength },
        probe,
        corpus: opts.corpus,
        encoding: opts.encoding,
        seed: opts.seed,
        capPerFindingMs: cap,
        capTotalMs: Math.min(120_000, Math.max(2 * cap, 3 * opts.durationMs)),
        cwd: opts.cwd,
        cli: opts.cli,
        shouldStop: () => opts.signal?.aborted ?? false,
      },
    );
    const byOriginal = new Map(processed.map((f) => [f.originalId ?? f.id, f]));
    for (const [key] of entries) {
      const next = byOriginal.get(key);
      if (next) findings.set(key, next);
      else findings.delete(key);
    }
    summary.timeSpentMs = performance.now() - started;
    return summary;
  } finally {
    await probe.close();
  }
}

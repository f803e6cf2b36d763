/**
 * The builtin latency-guided engine: an InputSource for the measured loop, PerfFuzz-style.
 *
 * An input is kept when it reaches new coverage or a new maximum for some cost feature:
 *  - coverage: code blocks never run before (V8 block coverage read in windows of calls,
 *    bisected to the input responsible: coverage-windows.ts);
 *  - deterministic cost: a block hit more often than ever before in a per-input reading
 *    (PerfFuzz's hit-count maxima; taken on cost-record candidates as the budget allows);
 *  - measured latency, bucketed log2(µs), one maximum per input-length class, plus growth
 *    records: a pumped input whose latency grew super-linearly over the rendering it was
 *    pumped from. A latency record is believed only after re-measurement: the same input is
 *    handed out again (at most twice) and every run must confirm it (cost.ts).
 * Before blind fuzzing, ladders (ladders.ts) climb candidates built from the target's literals in
 * cautious steps to the budget: ReDoS candidates from its regexes (`sample^n + rejected
 * character`, regex-ladders.ts), many short records of the line or field format its string
 * literals name (`a:\n` repeated, record-ladders.ts), its keyword calls nested in themselves
 * (`not(not(…true…))`, nesting-ladders.ts) and runs of its punctuation literals against runs
 * of text across a delimiter (`***b\naaa`, wildcard-ladders.ts).
 * Parents are scheduled favouring recent cost records and the newest coverage (corpus.ts);
 * children come from havoc/string mutation, dictionary tokens (the scenario's plus literals
 * mined from the target's source: literals.ts) and cost-aware pattern pumping (pump.ts): a
 * kept pattern rendering is pumped further, in steps extrapolated from its growth so far
 * and shrinking as its latency nears the per-call budget.
 *
 * Synchronous and cheap per call; all choices come from one seeded Rng and the coverage
 * windows are scheduled from the feedback alone, so the same seed with the same
 * deterministic costs yields the same inputs (timing noise, of course, varies).
 *
 * Coverage has a price the caller must know: V8 instruments every function compiled
 * while precise coverage is on, and the instrumentation stays for the function's life
 * (stopping coverage does not remove it). Measured here: 1.3-4x slower tight JS loops,
 * none for regex matching. Latencies recorded in an isolate with coverage on are inflated;
 * confirm violations, and take SLO verdicts, in an isolate without it. Create the engine
 * before the target's functions first run, or they are observed at function level only.
 */
import type { CallFeedback, InputSource } from '../input-source.ts';
import { DEFAULT_MUTATORS, GENTLE_MUTATORS, mutate, type MutationContext } from '../mutate.ts';
import { maxCountFor, pumpedLength, renderPattern, type PumpPattern } from '../../search/pattern.ts';
import { pickPattern } from '../../search/pattern-find.ts';
import { nextPumpCount, type PumpPoint } from '../pump.ts';
import { fnv1aBytes } from '../../core/hash.ts';
import { createRng, type Rng } from '../../core/rng.ts';
import { FeatureMaxima, sampleFromIds, type CoverageProbe, type ScriptFilter } from '../coverage/features.ts';
import { startV8BlockCoverage } from '../coverage/v8-block-coverage.ts';
import { CostRecords, latencyBucket, Remeasurement } from './cost.ts';
import { CoverageWindows } from './coverage-windows.ts';
import { EngineCorpus, type CorpusEntry, type KeepReason } from './corpus.ts';
import { mineLiterals } from './literals.ts';
import { LADDER_NOISE_FLOOR_NS, Ladders } from './ladders.ts';
import { nestingLadderPatterns } from './nesting-ladders.ts';
import { recordLadderPatterns } from './record-ladders.ts';
import { regexLadderPatterns } from './regex-ladders.ts';
import { wildcardLadderPatterns } from './wildcard-ladders.ts';

export interface BuiltinEngineOptions {
  seed: number;
  maxLength: number;
  /** The scenario's dictionary tokens. */
  dictionary: readonly string[];
  /** Seed inputs, replayed first and kept. */
  seeds: Uint8Array[];
  /**
   * The per-call latency budget (the SLO's per-call limit) in ns: pumping slows down as a
   * pattern's latency approaches it and stops for inputs over it. Default 10 ms.
   */
  timeBudgetHintNs?: number;
  /** Source texts of the target (scenario file, parser module): literals are mined into the dictionary. */
  targetSources?: readonly string[];
  /**
   * 'v8' (default): V8 block coverage on this thread, falling back to cost-only; or a probe;
   * or 'off'. Coverage instrumentation slows JS code (1.3-4x measured on tight loops): a
   * violation seen with it on must be confirmed where it is off (see the module doc).
   */
  coverage?: 'v8' | 'off' | CoverageProbe;
  /**
   * Which scripts count as the target for 'v8' coverage. Default: file: URLs outside
   * node_modules and outside the harness. A target that lives in a dependency (a third-party
   * parser) needs its package included, e.g. (url) => url.includes('/node_modules/yaml/').
   */
  coverageInclude?: ScriptFilter;
  /** Share of the time the coverage probe may take (default 0.15). */
  coverageOverhead?: number;
  /** Cost of one coverage read for the window schedule (default 1.5 ms, measured here for V8). */
  coverageReadCostNs?: number;
}

export interface BuiltinEngineStats {
  executions: number;
  corpusSize: number;
  keptForCoverage: number;
  keptForHitCount: number;
  keptForCost: number;
  remeasureRuns: number;
  rejectedRecords: number;
  /** Rungs of the ladders (ReDoS candidates, record runs, nestings and wildcard runs from the target's literals) run. */
  ladderRungs: number;
  /** Coverage probe reads, batch windows and bisection re-runs (see coverage-windows.ts). */
  coverageReads: number;
  coverageWindows: number;
  bisectRuns: number;
  coveredFeatures: number;
  topLatencyBucket: number;
  dictionarySize: number;
  coverage: string;
}

export interface BuiltinEngine extends InputSource {
  stats(): BuiltinEngineStats;
  /** Stops the coverage probe (the engine keeps working on cost alone). */
  stop(): void;
}

type IssueKind = 'seed' | 'ladder' | 'fresh' | 'remeasure' | 'refresh' | 'bisect';

/** Where a pumped input comes from: the pattern it renders and the rendering it was grown from. */
interface Lineage {
  pattern: PumpPattern;
  from: PumpPoint | null;
}

interface Issued {
  data: Uint8Array;
  kind: IssueKind;
  lineage: Lineage | null;
  /** Observed in a coverage window of its own (per-input hit counts). */
  alone: boolean;
}

const DEFAULT_BUDGET_NS = 10e6;
/** How much slower the target may run under coverage instrumentation (measured 1.3-4x here). */
const INSTRUMENTATION_SLACK = 4;
const PUMP_SHARE = 0.35;
/** A pumped child this much slower than its parent rendering, growing faster than length^SUPER_LINEAR, is kept. */
const LINEAGE_GROWTH = 1.5;
const SUPER_LINEAR = 1.5;
/** Parents slower than budget / this get only small edits. */
const GENTLE_BELOW_BUDGET_FRACTION = 64;

export function createBuiltinEngine(opts: BuiltinEngineOptions): BuiltinEngine {
  const rng = createRng(opts.seed);
  const budgetNs = opts.timeBudgetHintNs ?? DEFAULT_BUDGET_NS;
  const corpus = new EngineCorpus();
  const records = new CostRecords();
  const loopMaxima = new FeatureMaxima();
  const dictionary = buildDictionary(opts.dictionary, opts.targetSources ?? []);
  const ctx: MutationContext = { rng, maxLength: opts.maxLength, dictionary, corpus: corpus.datas };
  const { probe, coverageName } = openProbe(opts.coverage ?? 'v8', opts.coverageInclude);
  // Instrumented code runs slower (up to ~4x measured for tight loops): a latency "at the
  // budget" under coverage may be a quarter of it in reality, so pumping aims further.
  const pumpBudgetNs = probe ? budgetNs * INSTRUMENTATION_SLACK : budgetNs;
  let windows: CoverageWindows | null = probe
    ? new CoverageWindows(probe, { readCostNs: opts.coverageReadCostNs ?? 1.5e6, overhead: opts.coverageOverhead ?? 0.15 })
    : null;
  const seeds = opts.seeds.map((s) => (s.length > opts.maxLength ? s.slice(0, opts.maxLength) : s));
  // Ladders are climbed right after the seeds. Regex matching runs in V8's regex engine, which
  // coverage does not slow: ReDoS candidates aim at the budget. Records and nestings run the
  // target's JS code, instrumented: they aim further, like pumping (so do wildcard runs).
  const literals = dictionary.map((t) => Buffer.from(t).toString('latin1'));
  const ladders = new Ladders(
    [
      ...regexLadderPatterns(opts.targetSources ?? []).map((pattern) => ({ pattern, budgetNs })),
      ...recordLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
      ...nestingLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
      ...wildcardLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
    ],
    opts.maxLength,
  );
  let seedCursor = 0;
  let pending: Remeasurement | null = null;
  let pendingMeta: { lineage: Lineage | null; coverage: boolean; observed: boolean } | null = null;
  let issued: Issued | null = null;
  // Record holders are re-measured after 64, 128, 256, ... executions (CostRecords.relax).
  let nextRefreshAt = 64;
  const refreshQueue: Uint8Array[] = [];
  const interesting: Uint8Array[] = [];
  /** Fingerprints of kept inputs. */
  const known = new Set<number>();
  const stats = { executions: 0, keptForCoverage: 0, keptForHitCount: 0, keptForCost: 0, remeasureRuns: 0, rejectedRecords: 0, ladderRungs: 0 };

  const issue = (data: Uint8Array, kind: IssueKind, lineage: Lineage | null, alone: boolean): Uint8Array => {
    if (alone) windows?.beforeSingle();
    issued = { data, kind, lineage, alone: alone && windows !== null };
    return data;
  };

  const keep = (data: Uint8Array, latencyNs: number, lineage: Lineage | null, reason: KeepReason): void => {
    const id = fnv1aBytes(data);
    if (known.has(id)) return;
    known.add(id);
    const entry: CorpusEntry = { data, latencyNs, pattern: lineage?.pattern ?? null, pumpedFrom: lineage?.from ?? null, reason, addedAt: stats.executions };
    corpus.add(entry, rng);
    if (reason !== 'seed') interesting.push(data);
    if (reason === 'coverage') stats.keptForCoverage++;
    if (reason === 'hit-count') stats.keptForHitCount++;
    if (reason === 'cost') stats.keptForCost++;
  };

  const child = (): { data: Uint8Array; lineage: Lineage | null } => {
    const parent = corpus.pick(rng);
    if (!parent) return { data: mutate(new Uint8Array(0), ctx), lineage: null };
    if (parent.latencyNs < pumpBudgetNs && rng.chance(PUMP_SHARE)) {
      const pumped = pumpChild(parent, pumpBudgetNs, opts.maxLength, rng);
      if (pumped) return pumped;
    }
    // Near the budget, havoc that adds many bytes would jump an exponential target to minutes.
    const mutators = parent.latencyNs * GENTLE_BELOW_BUDGET_FRACTION > pumpBudgetNs ? GENTLE_MUTATORS : DEFAULT_MUTATORS;
    return { data: mutate(parent.data, ctx, mutators), lineage: null };
  };

  /** Coverage lessons: inputs that reached unseen blocks, and per-input readings. */
  const learnFromWindows = (current: Issued): void => {
    if (!windows) return;
    for (const event of windows.drain()) {
      if (event.kind === 'new-coverage') keep(event.input, event.latencyNs, null, 'coverage');
      else if (event.update && event.update.newMaxima > 0) {
        if (pending && event.input === pending.input && pendingMeta) pendingMeta.coverage = true;
        else if (current.kind !== 'seed') keep(event.input, event.latencyNs, null, event.update.newFeatures > 0 ? 'coverage' : 'hit-count');
      }
    }
  };

  const finishRemeasure = (verdict: 'confirmed' | 'rejected', remeasure: Remeasurement): void => {
    const meta = pendingMeta;
    pending = null;
    pendingMeta = null;
    if (verdict === 'confirmed') {
      const latencyNs = remeasure.confirmedLatencyNs();
      records.commit(remeasure.input, latencyBucket(latencyNs));
      keep(remeasure.input, latencyNs, meta?.lineage ?? null, 'cost');
      return;
    }
    stats.rejectedRecords++;
    if (meta?.coverage) keep(remeasure.input, Math.min(...remeasure.samples), meta.lineage, 'hit-count');
  };

  const nextInput = (): Uint8Array => {
    if (seedCursor < seeds.length) return issue(seeds[seedCursor++] as Uint8Array, 'seed', null, true);
    const again = windows?.bisecting ? windows.nextBisectInput() : null;
    if (again) return issue(again, 'bisect', null, false);
    if (pending && pendingMeta) {
      // The first re-run of a record candidate is also its per-input coverage reading, when
      // the read budget allows (windows.singleAffordable).
      const alone = !pendingMeta.observed && (windows?.singleAffordable() ?? false);
      pendingMeta.observed = true;
      return issue(pending.input, 'remeasure', pendingMeta.lineage, alone);
    }
    if (stats.executions >= nextRefreshAt) {
      refreshQueue.push(...records.holders());
      nextRefreshAt *= 2;
    }
    const holder = refreshQueue.pop();
    if (holder) return issue(holder, 'refresh', null, false);
    // Ladder rungs are judged by their latency alone: coverage is not read while they climb
    // (a read between two rungs delays the one that crosses the budget), and what they
    // reached is read once, as a baseline, when the last ladder is done.
    if (ladders.done) windows?.resume();
    const rung = ladders.next();
    if (rung) {
      windows?.pause();
      stats.ladderRungs++;
      return issue(rung.data, 'ladder', { pattern: rung.pattern, from: rung.from }, false);
    }
    const { data, lineage } = child();
    return issue(data, 'fresh', lineage, false);
  };

  const engine: BuiltinEngine = {
    name: coverageName === 'off' ? 'builtin-cost' : 'builtin',
    next: nextInput,
    feedback(input, result) {
      const current = issued;
      issued = null;
      stats.executions++;
      const mine = current !== null && current.data === input;
      windows?.afterCall(input, result.latencyNs, mine && current.alone);
      if (!current || !mine) return; // not ours: nothing more to learn from
      learnFromWindows(current);
      if (result.coverage && loopMaxima.observe(sampleFromIds(result.coverage)).newMaxima > 0 && current.kind === 'fresh') {
        keep(input, result.latencyNs, current.lineage, 'coverage');
      }
      switch (current.kind) {
        case 'seed':
          records.commit(input, latencyBucket(result.latencyNs));
          keep(input, result.latencyNs, null, 'seed');
          return;
        case 'ladder':
          // A rung's latency is checked by the next rung of the same ladder rather than by
          // re-running it; a ladder that grows leaves its rungs to be pumped further.
          ladders.feedback(result.latencyNs);
          if (result.latencyNs >= LADDER_NOISE_FLOOR_NS) keep(input, result.latencyNs, current.lineage, 'cost');
          return;
        case 'bisect':
          return;
        case 'refresh':
          records.relax(input, latencyBucket(result.latencyNs));
          return;
        case 'remeasure': {
          if (!pending) return;
          stats.remeasureRuns++;
          const verdict = pending.add(result.latencyNs);
          if (verdict !== 'pending') finishRemeasure(verdict, pending);
          return;
        }
        case 'fresh': {
          const length = input.length;
          const grew = superLinearGrowth(current.lineage, length);
          // A cost record: the slowest of its length class, or a pumped input whose latency
          // grew super-linearly over the rendering it came from (a blow-up: climb it).
          const isRecord = (ns: number): boolean => records.isRecord(length, latencyBucket(ns)) || grew(ns);
          if (isRecord(result.latencyNs) && !known.has(fnv1aBytes(input))) {
            pending = new Remeasurement(input, result.latencyNs, isRecord);
            pendingMeta = { lineage: current.lineage, coverage: false, observed: false };
          }
        }
      }
    },
    drainInteresting() {
      return interesting.splice(0, interesting.length);
    },
    stats: () => ({
      ...stats,
      corpusSize: corpus.size,
      coverageReads: windows?.stats.reads ?? 0,
      coverageWindows: windows?.stats.batchWindows ?? 0,
      bisectRuns: windows?.stats.bisectRuns ?? 0,
      coveredFeatures: windows?.stats.coveredFeatures ?? loopMaxima.coveredCount(),
      topLatencyBucket: records.top(),
      dictionarySize: dictionary.length,
      coverage: windows ? coverageName : 'off',
    }),
    stop() {
      probe?.stop();
      windows = null;
    },
  };
  return engine;
}

/**
 * A pumped child of `parent`: its own pattern grown further, or a newly picked pattern.
 * The step depends on how close the parent's latency is to the budget and, when the
 * parent was itself pumped, on the growth seen from its own parent (nextPumpCount).
 */
function pumpChild(parent: CorpusEntry, budgetNs: number, maxLength: number, rng: Rng): { data: Uint8Array; lineage: Lineage } | null {
  const own = parent.pattern !== null && rng.chance(0.8);
  const pattern = own ? parent.pattern : pickPattern(parent.data, rng);
  if (!pattern) return null;
  const cap = maxCountFor(pattern, maxLength);
  const previous = own ? parent.pumpedFrom : null;
  const n = Math.min(cap, nextPumpCount(pattern.count, parent.latencyNs, budgetNs, rng, previous));
  if (n <= pattern.count) return null;
  return {
    data: renderPattern(pattern, n),
    lineage: { pattern: { ...pattern, count: n }, from: { count: pattern.count, latencyNs: parent.latencyNs } },
  };
}

/**
 * Whether a latency for a pumped child of `length` bytes is a growth record over the
 * rendering it was pumped from: at least LINEAGE_GROWTH times slower, and growing faster
 * than length^SUPER_LINEAR (a linear parser is not a find; a quadratic or exponential one is).
 */
function superLinearGrowth(lineage: Lineage | null, length: number): (ns: number) => boolean {
  const from = lineage?.from;
  if (!lineage || !from || from.latencyNs <= 0) return () => false;
  const lengthRatio = length / Math.max(1, pumpedLength(lineage.pattern, from.count));
  if (lengthRatio <= 1) return () => false;
  return (ns) => {
    const ratio = ns / from.latencyNs;
    return ratio > LINEAGE_GROWTH && Math.log(ratio) / Math.log(lengthRatio) > SUPER_LINEAR;
  };
}

function buildDictionary(scenarioTokens: readonly string[], sources: readonly string[]): Uint8Array[] {
  const tokens = new Set<string>(scenarioTokens);
  for (const source of sources) for (const t of mineLiterals(source)) tokens.add(t);
  return [...tokens].filter((t) => t.length > 0).map((t) => Buffer.from(t, 'utf8'));
}

function openProbe(choice: 'v8' | 'off' | CoverageProbe, include?: ScriptFilter): { probe: CoverageProbe | null; coverageName: string } {
  if (choice === 'off') return { probe: null, coverageName: 'off' };
  if (choice !== 'v8') return { probe: choice, coverageName: choice.name };
  const started = startV8BlockCoverage(include ? { include } : {});
  return started.probe ? { probe: started.probe, coverageName: started.probe.name } : { probe: null, coverageName: 'off' };
}

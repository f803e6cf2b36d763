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
import { fnv1aBytes } from '../../core/hash.ts';
import { FeatureMaxima, sampleFromIds } from '../coverage/features.ts';
import type { CallFeedback, InputSource } from '../input-source.ts';
import { DEFAULT_MUTATORS, GENTLE_MUTATORS, mutate, type MutationContext } from '../mutate.ts';
import { CostRecords, latencyBucket, Remeasurement } from './cost.ts';
import type { CoverageWindows } from './coverage-windows.ts';
import { EngineCorpus, type CorpusEntry, type KeepReason } from './corpus.ts';
import { LADDER_NOISE_FLOOR_NS } from './ladders.ts';
import { pumpChild, superLinearGrowth, type Lineage } from './lineage.ts';
import { setUp, type BuiltinEngineOptions, type EngineSetup } from './setup.ts';

export type { BuiltinEngineOptions } from './setup.ts';

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

interface Issued {
  data: Uint8Array;
  kind: IssueKind;
  lineage: Lineage | null;
  /** Observed in a coverage window of its own (per-input hit counts). */
  alone: boolean;
}

const PUMP_SHARE = 0.35;
/** Parents slower than budget / this get only small edits. */
const GENTLE_BELOW_BUDGET_FRACTION = 64;

/** A cost-record candidate waiting for its re-runs, and what its first run showed. */
interface PendingMeta {
  lineage: Lineage | null;
  coverage: boolean;
  observed: boolean;
}

/** The engine between calls: what was handed out, what waits for re-measurement, what was kept. */
class BuiltinEngineRun {
  private readonly setup: EngineSetup;
  private readonly corpus = new EngineCorpus();
  private readonly records = new CostRecords();
  private readonly loopMaxima = new FeatureMaxima();
  private readonly ctx: MutationContext;
  private windows: CoverageWindows | null;
  private seedCursor = 0;
  private pending: Remeasurement | null = null;
  private pendingMeta: PendingMeta | null = null;
  private issued: Issued | null = null;
  // Record holders are re-measured after 64, 128, 256, ... executions (CostRecords.relax).
  private nextRefreshAt = 64;
  private readonly refreshQueue: Uint8Array[] = [];
  private readonly interesting: Uint8Array[] = [];
  /** Fingerprints of kept inputs. */
  private readonly known = new Set<number>();
  private readonly counts = { executions: 0, keptForCoverage: 0, keptForHitCount: 0, keptForCost: 0, remeasureRuns: 0, rejectedRecords: 0, ladderRungs: 0 };

  constructor(private readonly maxLength: number, setup: EngineSetup) {
    this.setup = setup;
    this.windows = setup.windows;
    this.ctx = { rng: setup.rng, maxLength, dictionary: setup.dictionary, corpus: this.corpus.datas };
  }

  get name(): string {
    return this.setup.coverageName === 'off' ? 'builtin-cost' : 'builtin';
  }

  private issue(data: Uint8Array, kind: IssueKind, lineage: Lineage | null, alone: boolean): Uint8Array {
    if (alone) this.windows?.beforeSingle();
    this.issued = { data, kind, lineage, alone: alone && this.windows !== null };
    return data;
  }

  private keep(data: Uint8Array, latencyNs: number, lineage: Lineage | null, reason: KeepReason): void {
    const id = fnv1aBytes(data);
    if (this.known.has(id)) return;
    this.known.add(id);
    const entry: CorpusEntry = { data, latencyNs, pattern: lineage?.pattern ?? null, pumpedFrom: lineage?.from ?? null, reason, addedAt: this.counts.executions };
    this.corpus.add(entry, this.setup.rng);
    if (reason !== 'seed') this.interesting.push(data);
    if (reason === 'coverage') this.counts.keptForCoverage++;
    if (reason === 'hit-count') this.counts.keptForHitCount++;
    if (reason === 'cost') this.counts.keptForCost++;
  }

  private child(): { data: Uint8Array; lineage: Lineage | null } {
    const { rng, pumpBudgetNs } = this.setup;
    const parent = this.corpus.pick(rng);
    if (!parent) return { data: mutate(new Uint8Array(0), this.ctx), lineage: null };
    if (parent.latencyNs < pumpBudgetNs && rng.chance(PUMP_SHARE)) {
      const pumped = pumpChild(parent, pumpBudgetNs, this.maxLength, rng);
      if (pumped) return pumped;
    }
    // Near the budget, havoc that adds many bytes would jump an exponential target to minutes.
    const mutators = parent.latencyNs * GENTLE_BELOW_BUDGET_FRACTION > pumpBudgetNs ? GENTLE_MUTATORS : DEFAULT_MUTATORS;
    return { data: mutate(parent.data, this.ctx, mutators), lineage: null };
  }

  /** Coverage lessons: inputs that reached unseen blocks, and per-input readings. */
  private learnFromWindows(current: Issued): void {
    if (!this.windows) return;
    for (const event of this.windows.drain()) {
      if (event.kind === 'new-coverage') this.keep(event.input, event.latencyNs, null, 'coverage');
      else if (event.update && event.update.newMaxima > 0) {
        if (this.pending && event.input === this.pending.input && this.pendingMeta) this.pendingMeta.coverage = true;
        else if (current.kind !== 'seed') this.keep(event.input, event.latencyNs, null, event.update.newFeatures > 0 ? 'coverage' : 'hit-count');
      }
    }
  }

  private finishRemeasure(verdict: 'confirmed' | 'rejected', remeasure: Remeasurement): void {
    const meta = this.pendingMeta;
    this.pending = null;
    this.pendingMeta = null;
    if (verdict === 'confirmed') {
      const latencyNs = remeasure.confirmedLatencyNs();
      this.records.commit(remeasure.input, latencyBucket(latencyNs));
      this.keep(remeasure.input, latencyNs, meta?.lineage ?? null, 'cost');
      return;
    }
    this.counts.rejectedRecords++;
    if (meta?.coverage) this.keep(remeasure.input, Math.min(...remeasure.samples), meta.lineage, 'hit-count');
  }

  next(): Uint8Array {
    const { seeds, ladders } = this.setup;
    if (this.seedCursor < seeds.length) return this.issue(seeds[this.seedCursor++] as Uint8Array, 'seed', null, true);
    const again = this.windows?.bisecting ? this.windows.nextBisectInput() : null;
    if (again) return this.issue(again, 'bisect', null, false);
    if (this.pending && this.pendingMeta) {
      // The first re-run of a record candidate is also its per-input coverage reading, when
      // the read budget allows (windows.singleAffordable).
      const alone = !this.pendingMeta.observed && (this.windows?.singleAffordable() ?? false);
      this.pendingMeta.observed = true;
      return this.issue(this.pending.input, 'remeasure', this.pendingMeta.lineage, alone);
    }
    if (this.counts.executions >= this.nextRefreshAt) {
      this.refreshQueue.push(...this.records.holders());
      this.nextRefreshAt *= 2;
    }
    const holder = this.refreshQueue.pop();
    if (holder) return this.issue(holder, 'refresh', null, false);
    // Ladder rungs are judged by their latency alone: coverage is not read while they climb
    // (a read between two rungs delays the one that crosses the budget), and what they
    // reached is read once, as a baseline, when the last ladder is done.
    if (ladders.done) this.windows?.resume();
    const rung = ladders.next();
    if (rung) {
      this.windows?.pause();
      this.counts.ladderRungs++;
      return this.issue(rung.data, 'ladder', { pattern: rung.pattern, from: rung.from }, false);
    }
    const { data, lineage } = this.child();
    return this.issue(data, 'fresh', lineage, false);
  }

  feedback(input: Uint8Array, result: CallFeedback): void {
    const current = this.issued;
    this.issued = null;
    this.counts.executions++;
    const mine = current !== null && current.data === input;
    this.windows?.afterCall(input, result.latencyNs, mine && current.alone);
    if (!current || !mine) return; // not ours: nothing more to learn from
    this.learnFromWindows(current);
    if (result.coverage && this.loopMaxima.observe(sampleFromIds(result.coverage)).newMaxima > 0 && current.kind === 'fresh') {
      this.keep(input, result.latencyNs, current.lineage, 'coverage');
    }
    this.learnFromLatency(current, input, result.latencyNs);
  }

  /** What the latency of an input teaches, by why it was handed out. */
  private learnFromLatency(current: Issued, input: Uint8Array, latencyNs: number): void {
    switch (current.kind) {
      case 'seed':
        this.records.commit(input, latencyBucket(latencyNs));
        this.keep(input, latencyNs, null, 'seed');
        return;
      case 'ladder':
        // A rung's latency is checked by the next rung of the same ladder rather than by
        // re-running it; a ladder that grows leaves its rungs to be pumped further.
        this.setup.ladders.feedback(latencyNs);
        if (latencyNs >= LADDER_NOISE_FLOOR_NS) this.keep(input, latencyNs, current.lineage, 'cost');
        return;
      case 'bisect':
        return;
      case 'refresh':
        this.records.relax(input, latencyBucket(latencyNs));
        return;
      case 'remeasure': {
        if (!this.pending) return;
        this.counts.remeasureRuns++;
        const verdict = this.pending.add(latencyNs);
        if (verdict !== 'pending') this.finishRemeasure(verdict, this.pending);
        return;
      }
      case 'fresh':
        this.considerRecord(current, input, latencyNs);
    }
  }

  /**
   * A cost record: the slowest of its length class, or a pumped input whose latency grew
   * super-linearly over the rendering it came from (a blow-up: climb it). Believed only after
   * re-measurement.
   */
  private considerRecord(current: Issued, input: Uint8Array, latencyNs: number): void {
    const length = input.length;
    const grew = superLinearGrowth(current.lineage, length);
    const isRecord = (ns: number): boolean => this.records.isRecord(length, latencyBucket(ns)) || grew(ns);
    if (isRecord(latencyNs) && !this.known.has(fnv1aBytes(input))) {
      this.pending = new Remeasurement(input, latencyNs, isRecord);
      this.pendingMeta = { lineage: current.lineage, coverage: false, observed: false };
    }
  }

  drainInteresting(): Uint8Array[] {
    return this.interesting.splice(0, this.interesting.length);
  }

  stats(): BuiltinEngineStats {
    const windows = this.windows;
    return {
      ...this.counts,
      corpusSize: this.corpus.size,
      coverageReads: windows?.stats.reads ?? 0,
      coverageWindows: windows?.stats.batchWindows ?? 0,
      bisectRuns: windows?.stats.bisectRuns ?? 0,
      coveredFeatures: windows?.stats.coveredFeatures ?? this.loopMaxima.coveredCount(),
      topLatencyBucket: this.records.top(),
      dictionarySize: this.setup.dictionary.length,
      coverage: windows ? this.setup.coverageName : 'off',
    };
  }

  stop(): void {
    this.setup.probe?.stop();
    this.windows = null;
  }
}

export function createBuiltinEngine(opts: BuiltinEngineOptions): BuiltinEngine {
  const run = new BuiltinEngineRun(opts.maxLength, setUp(opts));
  // A plain object of bound functions: callers may pass engine.next around on its own.
  return {
    name: run.name,
    next: () => run.next(),
    feedback: (input, result) => run.feedback(input, result),
    drainInteresting: () => run.drainInteresting(),
    stats: () => run.stats(),
    stop: () => run.stop(),
  };
}

/**
 * Coverage features and their hit counts, independent of where they come from. A feature
 * is one code block of the target (a V8 block-coverage range); its count is how many
 * times the block ran during one call, which is a deterministic cost: the same input
 * gives the same counts whatever the machine is doing, unlike wall time.
 * Pure: coverage results in, dense feature ids and counts out.
 */

export interface CoverageSample {
  /** Dense feature ids hit by the call (count > 0). */
  readonly ids: Uint32Array;
  /** Hit count of each id, same order. */
  readonly counts: Uint32Array;
  /** Sum of the counts: the call's executed-block count. */
  readonly total: number;
  /**
   * Blocks first told apart in this reading, as (new id, id of the block it was part of)
   * pairs: the new block inherits what is known of the old one (see FeatureMaxima).
   */
  readonly splits?: Uint32Array;
}

/** Something that observes coverage around one call (see v8-block-coverage.ts). */
export interface CoverageProbe {
  readonly name: string;
  /** Forget what ran so far; call right before the call to observe. */
  reset(): void;
  /** What ran since the last reset. */
  collect(): CoverageSample;
  /** Stop collecting and release the mechanism. */
  stop(): void;
}

/** The shape of V8's Profiler.takePreciseCoverage result that we use. */
export interface ScriptCoverageLike {
  readonly scriptId: string;
  readonly url: string;
  readonly functions: ReadonlyArray<{
    readonly ranges: ReadonlyArray<{ readonly startOffset: number; readonly endOffset: number; readonly count: number }>;
  }>;
}

export type ScriptFilter = (url: string) => boolean;

interface KnownFunction {
  /** Block start offsets learned so far, ascending, and their feature ids. */
  positions: number[];
  ids: number[];
}

type Range = ScriptCoverageLike['functions'][number]['ranges'][number];

/**
 * Assigns dense ids to the target's code blocks and reads each block's hit count from a
 * V8 coverage report. V8 does not report blocks one by one: it drops a nested range whose
 * count equals its parent's and merges neighbours with equal counts, so a range's offsets
 * change with the counts and cannot serve as an identity. A block is therefore identified
 * by its start offset inside its function; every offset that ever starts or ends a
 * reported range is a block boundary, learned as reports come in, and a block's count is
 * the count of the innermost reported range that contains it. Scripts the filter rejects
 * (the harness, node internals, dependencies) are ignored: their blocks run around every
 * call and would drown the target's signal.
 */
export class FeatureIndex {
  private readonly functions = new Map<string, KnownFunction>();
  private readonly included = new Map<string, boolean>();
  private nextId = 0;
  private splits: number[] = [];

  constructor(private readonly include: ScriptFilter) {}

  get size(): number {
    return this.nextId;
  }

  toSample(result: readonly ScriptCoverageLike[]): CoverageSample {
    const ids: number[] = [];
    const counts: number[] = [];
    this.splits = [];
    let total = 0;
    for (const script of result) {
      if (!this.isIncluded(script)) continue;
      for (const fn of script.functions) {
        const own = fn.ranges[0];
        if (!own || own.count <= 0) continue;
        const known = this.learn(`${script.scriptId}:${own.startOffset}`, fn.ranges);
        for (let i = 0; i < known.positions.length; i++) {
          const count = innermostCount(fn.ranges, known.positions[i] as number);
          if (count <= 0) continue;
          ids.push(known.ids[i] as number);
          counts.push(count);
          total += count;
        }
      }
    }
    return { ids: Uint32Array.from(ids), counts: Uint32Array.from(counts), total, splits: Uint32Array.from(this.splits) };
  }

  /** Adds the block boundaries of a report to what is known of the function. */
  private learn(key: string, ranges: readonly Range[]): KnownFunction {
    let known = this.functions.get(key);
    if (!known) {
      known = { positions: [], ids: [] };
      this.functions.set(key, known);
    }
    const fnEnd = (ranges[0] as Range).endOffset;
    for (const r of ranges) {
      this.addPosition(known, r.startOffset);
      if (r.endOffset < fnEnd) this.addPosition(known, r.endOffset);
    }
    return known;
  }

  private addPosition(known: KnownFunction, position: number): void {
    let lo = 0;
    let hi = known.positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((known.positions[mid] as number) < position) lo = mid + 1;
      else hi = mid;
    }
    if (known.positions[lo] === position) return;
    const id = this.nextId++;
    // Until now this block was part of the one before it: record the split.
    if (lo > 0) this.splits.push(id, known.ids[lo - 1] as number);
    known.positions.splice(lo, 0, position);
    known.ids.splice(lo, 0, id);
  }

  private isIncluded(script: ScriptCoverageLike): boolean {
    let yes = this.included.get(script.scriptId);
    if (yes === undefined) {
      yes = script.url !== '' && this.include(script.url);
      this.included.set(script.scriptId, yes);
    }
    return yes;
  }
}

/** Count of the innermost range containing `position` (ranges are well nested). */
export function innermostCount(ranges: readonly Range[], position: number): number {
  let best: Range | null = null;
  for (const r of ranges) {
    if (r.startOffset > position || r.endOffset <= position) continue;
    if (!best || r.startOffset > best.startOffset || (r.startOffset === best.startOffset && r.endOffset < best.endOffset)) best = r;
  }
  return best ? best.count : 0;
}

export interface MaximaUpdate {
  /** Features never hit before. */
  newFeatures: number;
  /** Features hit more often than ever before (PerfFuzz's criterion), new ones included. */
  newMaxima: number;
}

/** Per-feature maximum hit counts seen so far (PerfFuzz: keep an input that raises any of them). */
export class FeatureMaxima {
  private max = new Uint32Array(1024);

  /** Records the sample and says whether it reached new features or new maxima. */
  observe(sample: CoverageSample): MaximaUpdate {
    this.applySplits(sample);
    let newFeatures = 0;
    let newMaxima = 0;
    for (let i = 0; i < sample.ids.length; i++) {
      const id = sample.ids[i] as number;
      const count = sample.counts[i] as number;
      if (id >= this.max.length) this.grow(id);
      const prev = this.max[id] as number;
      if (count > prev) {
        if (prev === 0) newFeatures++;
        newMaxima++;
        this.max[id] = count;
      }
    }
    return { newFeatures, newMaxima };
  }

  /** Ids of the sample never hit before (without recording anything). */
  unseen(sample: CoverageSample): number[] {
    this.applySplits(sample);
    const out: number[] = [];
    for (const id of sample.ids) if (id >= this.max.length || this.max[id] === 0) out.push(id);
    return out;
  }

  /** Marks features as hit (count 1) without a per-input count, e.g. from a batch of calls. */
  markSeen(ids: readonly number[]): void {
    for (const id of ids) {
      if (id >= this.max.length) this.grow(id);
      if (this.max[id] === 0) this.max[id] = 1;
    }
  }

  /**
   * A block newly told apart from the one it was part of inherits that block's maximum:
   * code that ran before inside a merged range is not new coverage. Idempotent.
   */
  applySplits(sample: CoverageSample): void {
    const splits = sample.splits;
    if (!splits) return;
    for (let i = 0; i + 1 < splits.length; i += 2) {
      const id = splits[i] as number;
      const from = splits[i + 1] as number;
      if (Math.max(id, from) >= this.max.length) this.grow(Math.max(id, from));
      if (this.max[id] === 0) this.max[id] = this.max[from] as number;
    }
  }

  /** Features hit at least once. */
  coveredCount(): number {
    let n = 0;
    for (const m of this.max) if (m > 0) n++;
    return n;
  }

  private grow(id: number): void {
    let size = this.max.length;
    while (size <= id) size *= 2;
    const bigger = new Uint32Array(size);
    bigger.set(this.max);
    this.max = bigger;
  }
}

/**
 * Coverage handed over by the measured loop (CallFeedback.coverage: ids without counts)
 * as a sample with count 1 per id.
 */
export function sampleFromIds(ids: Uint32Array): CoverageSample {
  return { ids, counts: new Uint32Array(ids.length).fill(1), total: ids.length };
}

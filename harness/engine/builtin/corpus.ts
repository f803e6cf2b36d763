/**
 * The builtin engine's in-memory corpus and its scheduling: which kept input to mutate
 * next. Recent cost records are favoured (a blow-up is climbed one record at a time, so
 * the newest record is usually the best parent), the slowest entries come next, and a
 * uniform pick keeps the rest of the corpus alive. Pure: randomness is injected.
 */
import type { PumpPattern } from '../../search/pattern.ts';
import type { PumpPoint } from '../pump.ts';
import type { Rng } from '../../core/rng.ts';

/**
 * Why an input was kept: a seed, new code blocks (coverage), a latency record (cost), or a
 * new maximum hit count of some block (hit-count: PerfFuzz's deterministic cost).
 */
export type KeepReason = 'seed' | 'coverage' | 'cost' | 'hit-count';

export interface CorpusEntry {
  readonly data: Uint8Array;
  /** Confirmed (median) latency, or the single measurement for seed/coverage entries. */
  latencyNs: number;
  /** The pump pattern this input is a rendering of, when it came from pumping. */
  readonly pattern: PumpPattern | null;
  /** The rendering of the same pattern this one was pumped from (for growth extrapolation). */
  readonly pumpedFrom: PumpPoint | null;
  readonly reason: KeepReason;
  /** Engine execution count when kept (recency). */
  readonly addedAt: number;
}

export interface CorpusOptions {
  /** Entries kept at most; beyond it a random non-seed entry is replaced. */
  capacity?: number;
  /** How many of the newest entries count as recent. */
  recentWindow?: number;
}

export class EngineCorpus {
  readonly entries: CorpusEntry[] = [];
  /** Entry data, same order: the MutationContext's crossover pool. */
  readonly datas: Uint8Array[] = [];
  private readonly recent: CorpusEntry[] = [];
  private readonly recentCoverage: CorpusEntry[] = [];
  private readonly capacity: number;
  private readonly recentWindow: number;
  private slowest: CorpusEntry | null = null;
  private seedCount = 0;

  constructor(opts: CorpusOptions = {}) {
    this.capacity = opts.capacity ?? 4096;
    this.recentWindow = opts.recentWindow ?? 8;
  }

  get size(): number {
    return this.entries.length;
  }

  add(entry: CorpusEntry, rng: Rng): void {
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
      this.datas.push(entry.data);
    } else {
      const slot = this.seedCount + rng.int(this.capacity - this.seedCount);
      this.entries[slot] = entry;
      this.datas[slot] = entry.data;
    }
    if (entry.reason === 'seed') this.seedCount = Math.min(this.seedCount + 1, this.capacity - 1);
    // Hit-count records of linear loops are many and rarely lead anywhere: no recency boost.
    const recent = entry.reason === 'coverage' ? this.recentCoverage : entry.reason === 'hit-count' ? null : this.recent;
    recent?.push(entry);
    if (recent && recent.length > this.recentWindow) recent.shift();
    if (!this.slowest || entry.latencyNs > this.slowest.latencyNs) this.slowest = entry;
  }

  /**
   * A parent to mutate: 40% a recent cost record, 25% a recent new-coverage input (the
   * frontier of what the target parses), 15% the slowest entry, 20% uniform.
   */
  pick(rng: Rng): CorpusEntry | null {
    if (this.entries.length === 0) return null;
    const roll = rng.next();
    if (roll < 0.4 && this.recent.length > 0) return newest(this.recent, rng);
    if (roll < 0.65 && this.recentCoverage.length > 0) return newest(this.recentCoverage, rng);
    if (roll < 0.8 && this.slowest) return this.slowest;
    return rng.pick(this.entries);
  }
}

function newest(list: readonly CorpusEntry[], rng: Rng): CorpusEntry {
  return list[list.length - 1 - weightedRecentIndex(rng, list.length)] as CorpusEntry;
}

/** 0 (newest) is likeliest: a geometric-ish pick over the recent window. */
function weightedRecentIndex(rng: Rng, n: number): number {
  const a = rng.int(n);
  const b = rng.int(n);
  return Math.min(a, b);
}

/**
 * Folded stacks (`root;child;leaf count`, Brendan Gregg's format), top frames and stack diffs.
 * Pure: no clocks, no I/O. Window attribution lives in ./windows.ts and is re-exported here so
 * callers can take the whole pure core from one module.
 */
import { frameKind, isNodeInternalFrame, UNKNOWN_FRAME, type FrameKind } from './frames.ts';

export type { FrameKind } from './frames.ts';

/** One stack sample of one thread. `frames` are cleaned names (see ./frames.ts), root first. */
export interface StackSample {
  /** CLOCK_MONOTONIC nanoseconds: the same clock as `process.hrtime.bigint()` and bpftrace `nsecs`. */
  tNs: bigint;
  frames: string[];
  /** OS thread id (bpftrace `tid`; for the V8 profiler, the thread that ran the profiler when known). */
  tid?: number;
  /** False for off-CPU intervals (scheduler) and V8 `(idle)` samples. */
  onCpu: boolean;
  /** Off-CPU intervals only: how long the thread stayed off CPU from `tNs`. */
  durationNs?: number;
  /** Off-CPU intervals only: waiting for a CPU (preempted) or waiting for something (blocked). */
  offCpuReason?: 'preempted' | 'blocked';
}

/** Folded stacks: `a;b;c` -> weight (samples for on-CPU stacks, microseconds for off-CPU stacks). */
export type FoldedStacks = Map<string, number>;

/** JSON form of folded stacks, heaviest first. */
export interface FoldedStackEntry {
  stack: string;
  count: number;
}

export interface TopFrame {
  frame: string;
  kind: FrameKind;
  count: number;
  /** count / total weight of the stacks ranked (0..1). */
  share: number;
}

/** A frame whose share of the violation stacks is larger than its share of the baseline stacks. */
export interface FrameGrowth {
  frame: string;
  kind: FrameKind;
  violationShare: number;
  baselineShare: number;
  /** violationShare - baselineShare. */
  delta: number;
  violationCount: number;
  baselineCount: number;
}

export interface OffCpuStacks {
  /** Off-CPU time of the traced threads overlapping the window(s), summed. */
  totalMs: number;
  /** Of which runnable but not running: CPU contention (stress, noisy neighbours). */
  preemptedMs: number;
  /** Of which sleeping: I/O, timers, locks, injected delays. */
  blockedMs: number;
  /** Weights are microseconds off CPU. */
  folded: FoldedStackEntry[];
  topSelf: TopFrame[];
}

/** Stacks of one violation (or of the baseline) as results.json carries them. */
export interface TraceWindowStacks {
  windowId: string;
  backend: 'bpftrace' | 'v8-inspector';
  /** Samples attributed to the window(s), on and off CPU (off-CPU scheduler intervals excluded). */
  samples: number;
  onCpuSamples: number;
  /** Length of the union of the window(s), milliseconds. */
  windowMs: number;
  /**
   * Fraction of the window the traced thread was on CPU, estimated from samples (clamped to 1).
   * Low values mean the time went to waiting (I/O, an injected delay, a lock), not to computing.
   * Undefined when the window is too short to say (shorter than two sampling periods).
   */
  onCpuRatio: number | undefined;
  /** On-CPU stacks only. */
  folded: FoldedStackEntry[];
  topSelf: TopFrame[];
  topTotal: TopFrame[];
  offCpu?: OffCpuStacks;
}

export const FOLD_SEPARATOR = ';';

/** Fold samples by identical stacks. `weight` defaults to one per sample. */
export function foldSamples(samples: Iterable<StackSample>, weight: (s: StackSample) => number = () => 1): FoldedStacks {
  const folded: FoldedStacks = new Map();
  for (const sample of samples) {
    if (sample.frames.length === 0) continue;
    const key = sample.frames.join(FOLD_SEPARATOR);
    folded.set(key, (folded.get(key) ?? 0) + weight(sample));
  }
  return folded;
}

export function mergeFolded(...parts: FoldedStacks[]): FoldedStacks {
  const merged: FoldedStacks = new Map();
  for (const part of parts) for (const [stack, count] of part) merged.set(stack, (merged.get(stack) ?? 0) + count);
  return merged;
}

export function totalWeight(folded: FoldedStacks): number {
  let total = 0;
  for (const count of folded.values()) total += count;
  return total;
}

/** Heaviest first, ties by stack text, so output is deterministic. */
export function foldedToArray(folded: FoldedStacks, limit = Infinity): FoldedStackEntry[] {
  return [...folded]
    .map(([stack, count]) => ({ stack, count }))
    .sort((a, b) => b.count - a.count || (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0))
    .slice(0, limit);
}

export function foldedFromArray(entries: readonly FoldedStackEntry[]): FoldedStacks {
  const folded: FoldedStacks = new Map();
  for (const { stack, count } of entries) folded.set(stack, (folded.get(stack) ?? 0) + count);
  return folded;
}

/** `a;b;c 42` lines, the input format of flamegraph.pl and speedscope. */
export function formatFoldedText(folded: FoldedStacks): string {
  return foldedToArray(folded).map((e) => `${e.stack} ${e.count}`).join('\n') + (folded.size > 0 ? '\n' : '');
}

export function parseFoldedText(text: string): FoldedStacks {
  const folded: FoldedStacks = new Map();
  for (const line of text.split('\n')) {
    const match = /^(.*) (\d+(?:\.\d+)?)$/.exec(line.trimEnd());
    if (!match || match[1] === undefined || match[2] === undefined || match[1].length === 0) continue;
    folded.set(match[1], (folded.get(match[1]) ?? 0) + Number(match[2]));
  }
  return folded;
}

export interface TopFramesOptions {
  /** Ranked entries returned. */
  limit?: number;
  /** Only frames passing this test are ranked (for `self`, the innermost passing frame takes the sample). */
  include?: (frame: string) => boolean;
}

/** Weight per frame counted once per stack (recursion does not double count). */
export function inclusiveWeights(folded: FoldedStacks, include: (frame: string) => boolean = () => true): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [stack, count] of folded) {
    for (const frame of new Set(stack.split(FOLD_SEPARATOR))) {
      if (include(frame)) totals.set(frame, (totals.get(frame) ?? 0) + count);
    }
  }
  return totals;
}

/** Weight per innermost frame passing `include` (the leaf when everything passes). */
export function selfWeights(folded: FoldedStacks, include: (frame: string) => boolean = () => true): Map<string, number> {
  const selfs = new Map<string, number>();
  for (const [stack, count] of folded) {
    const frames = stack.split(FOLD_SEPARATOR);
    for (let i = frames.length - 1; i >= 0; i--) {
      const frame = frames[i];
      if (frame !== undefined && include(frame)) {
        selfs.set(frame, (selfs.get(frame) ?? 0) + count);
        break;
      }
    }
  }
  return selfs;
}

function rank(weights: Map<string, number>, total: number, limit: number): TopFrame[] {
  return [...weights]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([frame, count]) => ({ frame, kind: frameKind(frame), count, share: total > 0 ? count / total : 0 }));
}

/**
 * Frames that are the innermost *identified* frame of the most stacks (share of all stacks).
 * `[unknown]` leaves (JIT regexp code, remapped builtins, vDSO) say nothing, so a sample whose
 * leaf is unknown counts for its nearest named caller; pass `include` to change that.
 */
export function topSelfFrames(folded: FoldedStacks, options: TopFramesOptions = {}): TopFrame[] {
  const include = options.include ?? ((frame: string) => frame !== UNKNOWN_FRAME);
  return rank(selfWeights(folded, include), totalWeight(folded), options.limit ?? 10);
}

/** Frames present in the most stacks (share of all stacks). */
export function topTotalFrames(folded: FoldedStacks, options: TopFramesOptions = {}): TopFrame[] {
  return rank(inclusiveWeights(folded, options.include), totalWeight(folded), options.limit ?? 10);
}

/** The target's own JavaScript: JS frames outside Node's `node:` internals. */
export function isUserJsFrame(frame: string): boolean {
  return frameKind(frame) === 'js' && !isNodeInternalFrame(frame);
}

/**
 * Top total frames as a report shows them: the target's own JS functions when the stacks have any
 * (native scaffolding such as `uv_run` or `node::Start` is in every stack and says nothing), else
 * every frame (a target whose time is all in native code or the kernel).
 */
export function topUserTotalFrames(folded: FoldedStacks, limit = 10): TopFrame[] {
  const user = topTotalFrames(folded, { limit, include: isUserJsFrame });
  return user.length > 0 ? user : topTotalFrames(folded, { limit });
}

export interface DiffOptions {
  limit?: number;
  /** Smallest share growth reported (0..1). */
  minDelta?: number;
  include?: (frame: string) => boolean;
}

/**
 * Frames whose inclusive share of the violation stacks exceeds their share of the baseline
 * stacks. Shares normalise by each side's total weight, so different sample counts compare.
 */
export function diffFolded(violation: FoldedStacks, baseline: FoldedStacks, options: DiffOptions = {}): FrameGrowth[] {
  const vTotal = totalWeight(violation);
  const bTotal = totalWeight(baseline);
  if (vTotal === 0) return [];
  const vWeights = inclusiveWeights(violation, options.include);
  const bWeights = inclusiveWeights(baseline, options.include);
  const growth: FrameGrowth[] = [];
  for (const [frame, violationCount] of vWeights) {
    const baselineCount = bWeights.get(frame) ?? 0;
    const violationShare = violationCount / vTotal;
    const baselineShare = bTotal > 0 ? baselineCount / bTotal : 0;
    const delta = violationShare - baselineShare;
    if (delta > (options.minDelta ?? 0)) {
      growth.push({ frame, kind: frameKind(frame), violationShare, baselineShare, delta, violationCount, baselineCount });
    }
  }
  growth.sort((a, b) => b.delta - a.delta || (a.frame < b.frame ? -1 : a.frame > b.frame ? 1 : 0));
  return growth.slice(0, options.limit ?? 20);
}

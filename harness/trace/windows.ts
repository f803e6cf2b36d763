/**
 * Attribution of timestamped samples to call windows (violating calls vs baseline calls), and
 * the per-window summary results.json carries. Pure: times are data, never read from a clock.
 */
import {
  foldSamples,
  foldedToArray,
  topSelfFrames,
  topUserTotalFrames,
  type StackSample,
  type TraceWindowStacks,
  type OffCpuStacks,
} from './folded.ts';
import { frameKind } from './frames.ts';

export type WindowKind = 'violation' | 'baseline';

/**
 * One call (or request) as the harness timed it with `process.hrtime.bigint()`: [startNs, endNs).
 * Windows may overlap (concurrent requests). Several windows may share an id: their samples are
 * pooled (e.g. every repetition of one violating input), which matters because a 10 ms call
 * collects about one sample at 99 Hz.
 */
export interface TraceWindow {
  id: string;
  startNs: bigint;
  endNs: bigint;
  kind: WindowKind;
}

export interface WindowIndex {
  /** Sorted by startNs. */
  windows: TraceWindow[];
  /** prefixMaxEnd[i] = max endNs of windows[0..i]: lets a query stop scanning left early. */
  prefixMaxEnd: bigint[];
}

export function buildWindowIndex(windows: readonly TraceWindow[]): WindowIndex {
  const sorted = windows.filter((w) => w.endNs > w.startNs).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const prefixMaxEnd: bigint[] = [];
  let max = -1n;
  for (const w of sorted) {
    if (w.endNs > max) max = w.endNs;
    prefixMaxEnd.push(max);
  }
  return { windows: sorted, prefixMaxEnd };
}

/** Index of the last window whose start is < `ns`, or -1 (binary search). */
function lastStartingBefore(index: WindowIndex, ns: bigint): number {
  let lo = 0;
  let hi = index.windows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = index.windows[mid];
    if (w !== undefined && w.startNs < ns) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Windows that overlap [fromNs, toNs). */
export function windowsOverlapping(index: WindowIndex, fromNs: bigint, toNs: bigint): TraceWindow[] {
  const hits: TraceWindow[] = [];
  for (let i = lastStartingBefore(index, toNs); i >= 0; i--) {
    if ((index.prefixMaxEnd[i] ?? -1n) <= fromNs) break; // nothing further left reaches fromNs
    const w = index.windows[i];
    if (w !== undefined && w.endNs > fromNs) hits.push(w);
  }
  return hits;
}

/** Windows that contain the instant `ns`. */
export function windowsAt(index: WindowIndex, ns: bigint): TraceWindow[] {
  return windowsOverlapping(index, ns, ns + 1n);
}

export interface AttributeOptions {
  /** Keep only samples of these threads (e.g. the worker thread that runs the calls). */
  tids?: ReadonlySet<number>;
}

/**
 * Samples per window id. A point sample goes to every window (id) containing it, once per id.
 * An off-CPU interval goes to every window it overlaps, clipped to the overlap.
 */
export function attributeSamples(
  samples: readonly StackSample[],
  windows: readonly TraceWindow[],
  options: AttributeOptions = {},
): Map<string, StackSample[]> {
  const index = buildWindowIndex(windows);
  const byId = new Map<string, StackSample[]>();
  const add = (id: string, s: StackSample): void => {
    const list = byId.get(id);
    if (list) list.push(s);
    else byId.set(id, [s]);
  };
  for (const sample of samples) {
    if (options.tids && (sample.tid === undefined || !options.tids.has(sample.tid))) continue;
    if (sample.durationNs !== undefined) {
      attributeInterval(index, sample, add);
      continue;
    }
    const seen = new Set<string>();
    for (const w of windowsAt(index, sample.tNs)) {
      if (seen.has(w.id)) continue;
      seen.add(w.id);
      add(w.id, sample);
    }
  }
  return byId;
}

function attributeInterval(index: WindowIndex, sample: StackSample, add: (id: string, s: StackSample) => void): void {
  const from = sample.tNs;
  const to = sample.tNs + BigInt(Math.round(sample.durationNs ?? 0));
  // Overlap with the union of same-id windows, so overlapping windows of one id do not double count.
  const byId = new Map<string, TraceWindow[]>();
  for (const w of windowsOverlapping(index, from, to)) byId.set(w.id, [...(byId.get(w.id) ?? []), w]);
  for (const [id, ws] of byId) {
    const clipped = ws.map((w) => ({ startNs: w.startNs > from ? w.startNs : from, endNs: w.endNs < to ? w.endNs : to }));
    const overlapNs = unionLengthNs(clipped);
    const first = clipped.reduce((m, w) => (w.startNs < m ? w.startNs : m), to);
    if (overlapNs > 0n) add(id, { ...sample, tNs: first, durationNs: Number(overlapNs) });
  }
}

/** Samples in any window of one kind (each sample once, intervals clipped to the kind's union). */
export function samplesOfKind(
  samples: readonly StackSample[],
  windows: readonly TraceWindow[],
  kind: WindowKind,
  options: AttributeOptions = {},
): StackSample[] {
  const pooled = windows.filter((w) => w.kind === kind).map((w) => ({ ...w, id: kind }));
  return attributeSamples(samples, pooled, options).get(kind) ?? [];
}

/** Length of the union of intervals [startNs, endNs). */
export function unionLengthNs(intervals: ReadonlyArray<{ startNs: bigint; endNs: bigint }>): bigint {
  const sorted = intervals.filter((w) => w.endNs > w.startNs).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  let total = 0n;
  let curStart = -1n;
  let curEnd = -1n;
  for (const w of sorted) {
    if (w.startNs > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = w.startNs;
      curEnd = w.endNs;
    } else if (w.endNs > curEnd) curEnd = w.endNs;
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export interface WindowStacksInput {
  windowId: string;
  backend: TraceWindowStacks['backend'];
  /** The samples attributed to this window (from attributeSamples / samplesOfKind). */
  samples: readonly StackSample[];
  /** Union length of the window(s) in ns. */
  windowNs: bigint;
  /** Sampling period in ns (1e9 / hz for bpftrace; intervalUs * 1000 for V8). */
  samplePeriodNs: number;
  topN?: number;
  /** Folded entries kept (heaviest first); the rest are dropped to bound results.json. */
  maxStacks?: number;
}

/**
 * The results.json view of one window id. The on-CPU ratio: V8 samples the thread whether it runs
 * or not (idle samples are `(idle)`), so it is on-CPU samples over all samples; bpftrace's
 * `profile` probe fires only while the thread is on CPU, so it is samples x period over the window.
 */
export function buildWindowStacks(input: WindowStacksInput): TraceWindowStacks {
  const onCpu = input.samples.filter((s) => s.onCpu && s.durationNs === undefined);
  const idle = input.samples.filter((s) => !s.onCpu && s.durationNs === undefined);
  const offCpuIntervals = input.samples.filter((s) => s.durationNs !== undefined);
  const topN = input.topN ?? 10;
  const folded = foldSamples(onCpu);
  const windowMs = Number(input.windowNs) / 1e6;
  const result: TraceWindowStacks = {
    windowId: input.windowId,
    backend: input.backend,
    samples: onCpu.length + idle.length,
    onCpuSamples: onCpu.length,
    windowMs,
    onCpuRatio: onCpuRatio(input, onCpu.length, idle.length),
    folded: foldedToArray(folded, input.maxStacks ?? 200),
    topSelf: topSelfFrames(folded, { limit: topN }),
    topTotal: topUserTotalFrames(folded, topN),
  };
  if (offCpuIntervals.length > 0) result.offCpu = buildOffCpu(offCpuIntervals, topN, input.maxStacks ?? 200);
  return result;
}

function onCpuRatio(input: WindowStacksInput, onCpu: number, idle: number): number | undefined {
  if (input.backend === 'v8-inspector') return onCpu + idle > 0 ? onCpu / (onCpu + idle) : undefined;
  if (Number(input.windowNs) < 2 * input.samplePeriodNs) return undefined;
  return Math.min(1, (onCpu * input.samplePeriodNs) / Number(input.windowNs));
}

function buildOffCpu(intervals: readonly StackSample[], topN: number, maxStacks: number): OffCpuStacks {
  const folded = foldSamples(intervals, (s) => Math.round((s.durationNs ?? 0) / 1000));
  const sumNs = (list: readonly StackSample[]): number => list.reduce((sum, s) => sum + (s.durationNs ?? 0), 0);
  const totalNs = sumNs(intervals);
  const preemptedNs = sumNs(intervals.filter((s) => s.offCpuReason === 'preempted'));
  const blockedNs = sumNs(intervals.filter((s) => s.offCpuReason === 'blocked'));
  // Every off-CPU stack ends in the scheduler; the innermost user-space frame (the blocking call,
  // e.g. `epoll_pwait` or a JS function) is the informative one.
  const topSelf = topSelfFrames(folded, { limit: topN, include: (f) => frameKind(f) !== 'kernel' });
  return { totalMs: totalNs / 1e6, preemptedMs: preemptedNs / 1e6, blockedMs: blockedNs / 1e6, folded: foldedToArray(folded, maxStacks), topSelf };
}

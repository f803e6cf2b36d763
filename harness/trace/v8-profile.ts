/**
 * V8 CPU profile (inspector `Profiler.stop` result) -> StackSample[]. Pure.
 *
 * Clock: `startTime` and the running sum of `timeDeltas` are microseconds of V8's TimeTicks, which
 * on Linux is CLOCK_MONOTONIC, the clock of `process.hrtime.bigint()` (tested in v8-profiler.test.ts).
 * Frame names match the bpftrace/perf-map names (`fn (file.js:line:col)`, 1-based, function start)
 * so both backends fold and diff alike. Unlike perf maps, V8 reports inlined functions as frames.
 */
import type { StackSample } from './folded.ts';
import { formatJsFrame, shortenLocation, type CleanFrameOptions } from './frames.ts';

export interface V8CallFrame {
  functionName: string;
  url: string;
  /** 0-based; -1 for native functions. */
  lineNumber: number;
  columnNumber: number;
  scriptId?: string;
}

export interface V8ProfileNode {
  id: number;
  callFrame: V8CallFrame;
  children?: number[];
  hitCount?: number;
}

/** The JSON shape of `Profiler.Profile` (only what we use). */
export interface V8CpuProfile {
  nodes: V8ProfileNode[];
  /** Microseconds, CLOCK_MONOTONIC. */
  startTime: number;
  endTime: number;
  /** Node id per sample. */
  samples?: number[];
  /** Microseconds since the previous sample (the first one since startTime). */
  timeDeltas?: number[];
}

export interface V8ConvertOptions extends CleanFrameOptions {
  /** OS thread id the profiled isolate ran on (see currentOsThreadId()). */
  tid?: number;
}

/** V8's pseudo-frames: `(root)` is dropped, the rest kept as they are. */
const ROOT = '(root)';
export const V8_IDLE = '(idle)';

export function v8FrameName(frame: V8CallFrame, options: CleanFrameOptions = {}): string {
  const name = frame.functionName;
  if (name.startsWith('(') && name.endsWith(')') && frame.url === '') return name;
  if (frame.url === '' || frame.lineNumber < 0) return formatJsFrame(name || '(anonymous)', undefined);
  const location = shortenLocation(`${frame.url}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`, options);
  return formatJsFrame(name, location);
}

/** Root-first frame list for every node id (shared arrays: treat as read-only). */
export function v8NodeStacks(profile: V8CpuProfile, options: CleanFrameOptions = {}): Map<number, string[]> {
  const byId = new Map<number, V8ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stacks = new Map<number, string[]>();
  const stackOf = (id: number): string[] => {
    const cached = stacks.get(id);
    if (cached) return cached;
    // Iterative walk up to the nearest cached ancestor: deep recursion in the target must not
    // overflow our stack.
    const chain: number[] = [];
    let cursor: number | undefined = id;
    while (cursor !== undefined && !stacks.has(cursor)) {
      chain.push(cursor);
      cursor = parent.get(cursor);
    }
    let frames: string[] = cursor !== undefined ? (stacks.get(cursor) ?? []) : [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const nodeId = chain[i] as number;
      const node = byId.get(nodeId);
      if (node && node.callFrame.functionName !== ROOT) frames = [...frames, v8FrameName(node.callFrame, options)];
      stacks.set(nodeId, frames);
    }
    return stacks.get(id) ?? [];
  };
  for (const node of profile.nodes) stackOf(node.id);
  return stacks;
}

/** One StackSample per profile sample, timestamped on the hrtime clock; `(idle)` samples are off CPU. */
export function v8ProfileToSamples(profile: V8CpuProfile, options: V8ConvertOptions = {}): StackSample[] {
  const stacks = v8NodeStacks(profile, options);
  const ids = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const samples: StackSample[] = [];
  let tUs = profile.startTime;
  for (let i = 0; i < ids.length; i++) {
    tUs += deltas[i] ?? 0;
    const frames = stacks.get(ids[i] ?? -1) ?? [];
    const idle = frames.length === 1 && frames[0] === V8_IDLE;
    const sample: StackSample = { tNs: BigInt(Math.round(tUs)) * 1000n, frames, onCpu: !idle };
    if (options.tid !== undefined) sample.tid = options.tid;
    samples.push(sample);
  }
  return samples;
}

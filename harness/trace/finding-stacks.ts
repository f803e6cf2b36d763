/**
 * From timestamped samples and call windows to the `Finding.stacks` section of results.json.
 * Pure: no clocks, no I/O; the recorded-fixture tests drive it directly.
 *
 * Every sample taken inside a target call carries the harness's own frames below the target
 * (node start-up, the event loop, the worker, the trace loop, `timedCall`). They are in every
 * stack, so they say nothing and would crowd the top frames: stacks are cut just above the
 * harness's call into the target, so the target's entry function is the flame graph's root.
 */
import type { FindingStacks, FrameShare } from '../core/results-schema.ts';
import { diffFolded, foldSamples, type StackSample, type TopFrame, type TraceWindowStacks } from './folded.ts';
import { UNKNOWN_FRAME } from './frames.ts';
import { attributeSamples, buildWindowStacks, samplesOfKind, unionLengthNs, type TraceWindow } from './windows.ts';

export type StackBackend = 'bpftrace' | 'v8-inspector';

/** The harness function that calls the target (harness/drivers/isolate/measured-loop.ts `timedCall`). */
const TARGET_CALL_BOUNDARY = /^timedCall \((?:[^()]*\/)?measured-loop\.[cm]?[jt]s:\d+(?::\d+)?\)$/;

/** Frames above the innermost harness call into the target; the stack unchanged when it has none. */
export function trimToTargetCall(frames: readonly string[]): string[] {
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    if (frame !== undefined && TARGET_CALL_BOUNDARY.test(frame)) return frames.slice(i + 1);
  }
  return [...frames];
}

export function trimSamples(samples: readonly StackSample[]): StackSample[] {
  return samples.map((s) => ({ ...s, frames: trimToTargetCall(s.frames) }));
}

export interface FindingStacksInput {
  backend: StackBackend;
  reason: string | null;
  /** All samples of the session (any thread); tids filter them. */
  samples: readonly StackSample[];
  /** Violation windows (id = finding id) and baseline windows. */
  windows: readonly TraceWindow[];
  /** Threads whose samples count (the worker that runs the calls); all when absent. */
  tids?: ReadonlySet<number>;
  /** Sampling period, ns. */
  samplePeriodNs: number;
  topN?: number;
  maxStacks?: number;
}

function toShare(top: TopFrame): FrameShare {
  return { frame: top.frame, count: top.count, share: top.share, kind: top.kind };
}

/** Converts the trace module's window summary into the results.json shape. */
export function toFindingStacks(window: TraceWindowStacks, reason: string | null, diff: FindingStacks['diff']): FindingStacks {
  const stacks: FindingStacks = {
    backend: window.backend,
    reason,
    folded: window.folded,
    topSelf: window.topSelf.map(toShare),
    topTotal: window.topTotal.map(toShare),
    onCpuRatio: window.onCpuRatio ?? null,
    samples: window.samples,
    windowMs: window.windowMs,
    diff,
  };
  if (window.offCpu) {
    const { totalMs, preemptedMs, blockedMs, topSelf } = window.offCpu;
    stacks.offCpu = { totalMs, preemptedMs, blockedMs, topSelf: topSelf.map(toShare) };
  }
  return stacks;
}

/**
 * Stacks per violation id (the finding ids in `windows`), each with a diff against the pooled
 * baseline windows. Ids without any window are absent from the map.
 */
export function buildFindingStacks(input: FindingStacksInput): Map<string, FindingStacks> {
  const attributeOptions = input.tids ? { tids: input.tids } : {};
  const samples = trimSamples(input.samples);
  const violationWindows = input.windows.filter((w) => w.kind === 'violation');
  const byId = attributeSamples(samples, violationWindows, attributeOptions);
  const baselineWindows = input.windows.filter((w) => w.kind === 'baseline');
  const baselineSamples = baselineWindows.length > 0 ? samplesOfKind(samples, input.windows, 'baseline', attributeOptions) : [];
  const baselineFolded = foldSamples(baselineSamples.filter((s) => s.onCpu && s.durationNs === undefined));
  const out = new Map<string, FindingStacks>();
  for (const id of new Set(violationWindows.map((w) => w.id))) {
    const own = violationWindows.filter((w) => w.id === id);
    const attributed = byId.get(id) ?? [];
    const summary = buildWindowStacks({
      windowId: id,
      backend: input.backend,
      samples: attributed,
      windowNs: unionLengthNs(own),
      samplePeriodNs: input.samplePeriodNs,
      ...(input.topN !== undefined ? { topN: input.topN } : {}),
      ...(input.maxStacks !== undefined ? { maxStacks: input.maxStacks } : {}),
    });
    let diff: FindingStacks['diff'] = null;
    if (baselineWindows.length > 0) {
      const violationFolded = foldSamples(attributed.filter((s) => s.onCpu && s.durationNs === undefined));
      diff = diffFolded(violationFolded, baselineFolded, { limit: input.topN ?? 10, minDelta: 0.01, include: (f) => f !== UNKNOWN_FRAME }).map(
        ({ frame, violationShare, baselineShare }) => ({ frame, violationShare, baselineShare }),
      );
    }
    out.set(id, toFindingStacks(summary, input.reason, diff));
  }
  return out;
}

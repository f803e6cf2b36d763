/**
 * Keeps results.json small: a bench run with 6 findings x 2,000 distinct folded stacks
 * wrote 6.4 MB, almost all of it stacks nobody reads one by one. When results are written,
 * each finding keeps its heaviest stacks and a remainder count (`foldedOther`), so totals
 * stay honest and the flame graph still shows where the time went. Pure functions.
 */
import type { Finding, FindingStacks, FrameShare, ResultsFile } from '../core/results-schema.ts';

/** Folded stacks kept per finding (the heaviest). */
export const MAX_FOLDED_STACKS = 500;
/** Rows kept in each top-frames list (self, total, off-CPU). */
export const MAX_FRAME_ROWS = 50;
/** Frames kept in a baseline diff (those whose share changed most). */
export const MAX_DIFF_FRAMES = 500;

export interface StackCaps {
  folded: number;
  frameRows: number;
  diffFrames: number;
}

export const DEFAULT_STACK_CAPS: StackCaps = { folded: MAX_FOLDED_STACKS, frameRows: MAX_FRAME_ROWS, diffFrames: MAX_DIFF_FRAMES };

function topFrames(frames: readonly FrameShare[], max: number): FrameShare[] {
  return frames.length <= max ? [...frames] : [...frames].sort((a, b) => b.count - a.count).slice(0, max);
}

/** The heaviest `max` stacks (ties broken by stack text, so the result is deterministic) plus what was dropped. */
export function capFolded(stacks: FindingStacks, max: number): Pick<FindingStacks, 'folded' | 'foldedOther'> {
  const previous = stacks.foldedOther;
  if (stacks.folded.length <= max) return previous ? { folded: stacks.folded, foldedOther: previous } : { folded: stacks.folded };
  const sorted = [...stacks.folded].sort((a, b) => b.count - a.count || (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
  const dropped = sorted.slice(max);
  return {
    folded: sorted.slice(0, max),
    foldedOther: {
      // Capping an already-capped set adds to its remainder instead of forgetting it.
      stacks: dropped.length + (previous?.stacks ?? 0),
      count: dropped.reduce((sum, s) => sum + s.count, 0) + (previous?.count ?? 0),
    },
  };
}

export function capStacks(stacks: FindingStacks, caps: StackCaps = DEFAULT_STACK_CAPS): FindingStacks {
  const diff = stacks.diff === null || stacks.diff.length <= caps.diffFrames
    ? stacks.diff
    : [...stacks.diff].sort((a, b) => Math.abs(b.violationShare - b.baselineShare) - Math.abs(a.violationShare - a.baselineShare)).slice(0, caps.diffFrames);
  return {
    ...stacks,
    ...capFolded(stacks, caps.folded),
    topSelf: topFrames(stacks.topSelf, caps.frameRows),
    topTotal: topFrames(stacks.topTotal, caps.frameRows),
    ...(stacks.offCpu ? { offCpu: { ...stacks.offCpu, topSelf: topFrames(stacks.offCpu.topSelf, caps.frameRows) } } : {}),
    diff,
  };
}

function capFinding(finding: Finding, caps: StackCaps): Finding {
  return finding.stacks ? { ...finding, stacks: capStacks(finding.stacks, caps) } : finding;
}

/** The results with every finding's stacks capped; the input is not modified. */
export function capResultsStacks(results: ResultsFile, caps: StackCaps = DEFAULT_STACK_CAPS): ResultsFile {
  return {
    ...results,
    scenarios: results.scenarios.map((s) => ({ ...s, findings: s.findings.map((f) => capFinding(f, caps)) })),
  };
}

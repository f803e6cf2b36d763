/**
 * From a service's stack samples and the load phase's request timings to `service.stacks` in
 * results.json. Pure: no clocks, no I/O; the unit tests drive it with recorded numbers.
 *
 * A request's window is [sent, done] on the CLOCK_MONOTONIC nanosecond clock the samples use.
 * Requests overlap (an open-loop phase keeps many in flight), so a sample cannot be pinned on one
 * request: a sample inside ANY violating request's window counts for the violation side, and the
 * baseline is the time when only non-violating requests were in flight (baseline windows minus
 * the violation windows). Time with no request in flight belongs to neither side; the whole-phase
 * stacks include it.
 */
import type { FindingStacks, ServiceStacks } from '../core/results-schema.ts';
import type { SloThreshold } from '../scenario/types.ts';
import { buildFindingStacks, type StackBackend } from './finding-stacks.ts';
import type { StackSample } from './folded.ts';
import type { TraceWindow } from './windows.ts';

/** One request of the load phase, on the samples' clock. */
export interface RequestTiming {
  /** When it was written to a socket (the service cannot work on it earlier), ns. */
  sentNs: bigint;
  /** When its response (or timeout) was seen, ns. */
  doneNs: bigint;
  /** Latency from the intended send time: what the SLO judges. */
  correctedMs: number;
}

/** Window ids in the attribution (not user data). */
export const VIOLATION_WINDOW_ID = 'violating-requests';
export const PHASE_WINDOW_ID = 'load-phase';

/** A threshold and where it comes from. */
export interface ViolationThreshold {
  thresholdMs: number;
  from: string;
}

/** Quantile SLOs in the order a single request's latency is compared with: the tail first. */
const THRESHOLD_PREFERENCE = ['p99', 'p999', 'p90', 'max', 'p50'] as const;

/**
 * The latency above which one request counts as violating: the p99 SLO's threshold when there is
 * one (a request above it is what pushes the p99 over), else the nearest tail SLO, else the per-call budget.
 */
export function violationThreshold(slo: { thresholds: readonly SloThreshold[]; perCallMs: number }): ViolationThreshold {
  for (const metric of THRESHOLD_PREFERENCE) {
    const t = slo.thresholds.find((x) => x.metric === metric);
    if (t) return { thresholdMs: t.thresholdMs, from: `${metric} SLO` };
  }
  return { thresholdMs: slo.perCallMs, from: 'per-call budget' };
}

/** Violation and baseline windows: one per request, by its corrected latency against the threshold. */
export function requestWindows(requests: readonly RequestTiming[], thresholdMs: number): TraceWindow[] {
  return requests
    .filter((r) => r.doneNs > r.sentNs)
    .map((r) => ({ id: r.correctedMs > thresholdMs ? VIOLATION_WINDOW_ID : 'baseline', kind: r.correctedMs > thresholdMs ? ('violation' as const) : ('baseline' as const), startNs: r.sentNs, endNs: r.doneNs }));
}

interface Span {
  startNs: bigint;
  endNs: bigint;
}

function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.endNs > s.startNs).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.startNs <= last.endNs) {
      if (s.endNs > last.endNs) last.endNs = s.endNs;
    } else merged.push({ ...s });
  }
  return merged;
}

/** `spans` minus the union of `cut` (the pieces of each span outside every cut). */
export function subtractSpans(spans: readonly Span[], cut: readonly Span[]): Span[] {
  const holes = mergeSpans(cut);
  const out: Span[] = [];
  for (const span of mergeSpans(spans)) {
    let from = span.startNs;
    for (const hole of holes) {
      if (hole.endNs <= from) continue;
      if (hole.startNs >= span.endNs) break;
      if (hole.startNs > from) out.push({ startNs: from, endNs: hole.startNs });
      if (hole.endNs > from) from = hole.endNs;
    }
    if (span.endNs > from) out.push({ startNs: from, endNs: span.endNs });
  }
  return out;
}

/** Baseline windows clipped to the time no violating request was in flight. */
export function exclusiveBaseline(windows: readonly TraceWindow[]): TraceWindow[] {
  const violating = windows.filter((w) => w.kind === 'violation');
  const baseline = windows.filter((w) => w.kind === 'baseline');
  return subtractSpans(baseline, violating).map((s) => ({ id: 'baseline', kind: 'baseline', ...s }));
}

export interface ServiceStacksInput {
  backend: StackBackend;
  /** Name written to results (e.g. `v8-inspector`); defaults to `backend`. */
  backendLabel?: string;
  reason: string | null;
  samples: readonly StackSample[];
  requests: readonly RequestTiming[];
  threshold: ViolationThreshold;
  /** The load phase, on the samples' clock. */
  phase: Span;
  /** Threads whose samples count; all when absent. */
  tids?: ReadonlySet<number>;
  samplePeriodNs: number;
  notes?: string[];
}

function labelled(stacks: FindingStacks | undefined, label: string | undefined): FindingStacks | null {
  if (!stacks) return null;
  return label === undefined ? stacks : { ...stacks, backend: label };
}

export function buildServiceStacks(input: ServiceStacksInput): ServiceStacks {
  const windows = requestWindows(input.requests, input.threshold.thresholdMs);
  const violating = windows.filter((w) => w.kind === 'violation');
  const common = { backend: input.backend, reason: input.reason, samples: input.samples, samplePeriodNs: input.samplePeriodNs, ...(input.tids ? { tids: input.tids } : {}) };
  const split = violating.length > 0 ? buildFindingStacks({ ...common, windows: [...violating, ...exclusiveBaseline(windows)] }) : new Map<string, FindingStacks>();
  const whole = buildFindingStacks({ ...common, windows: [{ id: PHASE_WINDOW_ID, kind: 'violation', startNs: input.phase.startNs, endNs: input.phase.endNs }] });
  const violation = labelled(split.get(VIOLATION_WINDOW_ID), input.backendLabel);
  const phase = labelled(whole.get(PHASE_WINDOW_ID), input.backendLabel);
  return {
    backend: input.backendLabel ?? input.backend,
    reason: input.reason,
    thresholdMs: input.threshold.thresholdMs,
    thresholdFrom: input.threshold.from,
    requests: { violating: violating.length, baseline: windows.length - violating.length },
    violation: violation && violation.samples !== 0 ? violation : null,
    phase: phase && phase.samples !== 0 ? phase : null,
    notes: input.notes ?? [],
  };
}

/** A `service.stacks` section that says why there are no stacks. */
export function noServiceStacks(reason: string, threshold: ViolationThreshold, notes: string[] = []): ServiceStacks {
  return { backend: 'none', reason, thresholdMs: threshold.thresholdMs, thresholdFrom: threshold.from, requests: { violating: 0, baseline: 0 }, violation: null, phase: null, notes };
}

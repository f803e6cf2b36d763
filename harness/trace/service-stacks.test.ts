import { describe, expect, it } from 'vitest';
import type { StackSample } from './folded.ts';
import { buildServiceStacks, exclusiveBaseline, requestWindows, subtractSpans, violationThreshold, type RequestTiming } from './service-stacks.ts';
import { appendNodeOptions, isNodeCommand } from './service-trace.ts';

const MS = 1_000_000n;
const at = (ms: number, frames: string[], tid = 7): StackSample => ({ tNs: BigInt(ms) * MS, frames, tid, onCpu: true });
const req = (sentMs: number, doneMs: number, correctedMs = doneMs - sentMs): RequestTiming => ({ sentNs: BigInt(sentMs) * MS, doneNs: BigInt(doneMs) * MS, correctedMs });

const HANDLER = 'handle (server.mjs:10:1)';
const PARSE = 'parseHeader (server.mjs:3:1)';
const LOGIC = 'apply (json-logic.js:50:3)';

describe('service request windows', () => {
  it('takes the p99 SLO as the per-request threshold, then other tail SLOs, then the per-call budget', () => {
    expect(violationThreshold({ thresholds: [{ metric: 'p50', thresholdMs: 10 }, { metric: 'p99', thresholdMs: 50 }], perCallMs: 500 })).toEqual({ thresholdMs: 50, from: 'p99 SLO' });
    expect(violationThreshold({ thresholds: [{ metric: 'p50', thresholdMs: 10 }], perCallMs: 500 })).toEqual({ thresholdMs: 10, from: 'p50 SLO' });
    expect(violationThreshold({ thresholds: [], perCallMs: 500 })).toEqual({ thresholdMs: 500, from: 'per-call budget' });
  });

  it('classifies requests by corrected latency but opens their windows at the actual send', () => {
    const windows = requestWindows([req(0, 10), req(5, 30, 80)], 50);
    expect(windows.map((w) => [w.kind, w.startNs / MS, w.endNs / MS])).toEqual([
      ['baseline', 0n, 10n],
      ['violation', 5n, 30n],
    ]);
  });

  it('subtracts the violation time from the baseline (overlapping requests)', () => {
    expect(subtractSpans([{ startNs: 0n, endNs: 100n }], [{ startNs: 10n, endNs: 20n }, { startNs: 15n, endNs: 30n }, { startNs: 90n, endNs: 120n }])).toEqual([
      { startNs: 0n, endNs: 10n },
      { startNs: 30n, endNs: 90n },
    ]);
    const base = exclusiveBaseline(requestWindows([req(0, 40), req(20, 60, 100)], 50));
    expect(base.map((w) => [w.startNs / MS, w.endNs / MS])).toEqual([[0n, 20n]]);
  });
});

describe('buildServiceStacks (recorded samples, no clocks)', () => {
  // Three requests: a fast one [0, 20), a slow one [30, 130) that overlaps a fast one [100, 110).
  const requests = [req(0, 20), req(30, 130, 140), req(100, 110)];
  const samples: StackSample[] = [
    ...[2, 8, 14].map((t) => at(t, [HANDLER, LOGIC])),
    ...[35, 45, 55, 65, 75, 85, 95, 105, 115, 125].map((t) => at(t, [HANDLER, PARSE])),
    at(25, ['uv_run', 'epoll_wait']), // between requests: only the whole phase has it
    at(50, [HANDLER, PARSE], 8), // another thread: filtered out
  ];
  const stacks = buildServiceStacks({
    backend: 'bpftrace',
    reason: 'test',
    samples,
    requests,
    threshold: { thresholdMs: 50, from: 'p99 SLO' },
    phase: { startNs: 0n, endNs: 200n * MS },
    tids: new Set([7]),
    samplePeriodNs: 10_000_000,
  });

  it('counts violating and baseline requests', () => {
    expect(stacks.requests).toEqual({ violating: 1, baseline: 2 });
    expect(stacks.thresholdFrom).toBe('p99 SLO');
  });

  it('attributes samples inside the slow request (also those overlapping a fast one) to the violation', () => {
    expect(stacks.violation?.samples).toBe(10);
    expect(stacks.violation?.topSelf[0]).toMatchObject({ frame: PARSE, share: 1 });
    expect(stacks.violation?.topTotal.find((t) => t.frame === PARSE)?.share).toBe(1);
  });

  it('diffs against time when only fast requests were in flight', () => {
    const parse = stacks.violation?.diff?.find((d) => d.frame === PARSE);
    expect(parse).toEqual({ frame: PARSE, violationShare: 1, baselineShare: 0 });
  });

  it('keeps every main-thread sample of the phase in the whole-phase stacks', () => {
    expect(stacks.phase?.samples).toBe(14);
    expect(stacks.phase?.diff).toBeNull();
  });

  it('has no violation side when no request exceeded the threshold', () => {
    const calm = buildServiceStacks({ backend: 'v8-inspector', backendLabel: 'v8-inspector', reason: null, samples, requests: [req(0, 20)], threshold: { thresholdMs: 50, from: 'p99 SLO' }, phase: { startNs: 0n, endNs: 200n * MS }, samplePeriodNs: 1e7 });
    expect(calm.violation).toBeNull();
    expect(calm.requests).toEqual({ violating: 0, baseline: 1 });
    expect(calm.phase?.samples).toBe(samples.length);
  });
});

describe('service command helpers', () => {
  it('recognises node commands', () => {
    expect(isNodeCommand(['{node}', 'server.mjs'])).toBe(true);
    expect(isNodeCommand([process.execPath, 'server.mjs'])).toBe(true);
    expect(isNodeCommand(['/usr/local/bin/node20', 'x'])).toBe(true);
    expect(isNodeCommand(['python3', 'server.py'])).toBe(false);
    expect(isNodeCommand(['./nodeish'])).toBe(false);
  });

  it('appends to NODE_OPTIONS, quoting paths that need it', () => {
    expect(appendNodeOptions(undefined, ['--a', '--b'])).toBe('--a --b');
    expect(appendNodeOptions(' --max-old-space-size=64 ', ['--require', '/tmp/a b/p.cjs'])).toBe('--max-old-space-size=64 --require "/tmp/a b/p.cjs"');
  });
});

/**
 * The pure trace core on recorded fixtures (harness/trace/fixtures/, re-recorded by
 * scripts/record-trace-fixtures.ts) and small hand-made cases: no clocks, no processes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import type { Finding } from '../core/results-schema.ts';
import { selectFindingsToTrace } from '../pipeline/trace-phase.ts';
import { parseCli } from '../cli/args.ts';
import { BpftraceOutputParser, buildBpftraceProgram, offCpuReason, parseBpftraceOutput } from './bpftrace-program.ts';
import { buildFindingStacks, trimToTargetCall } from './finding-stacks.ts';
import { foldSamples, formatFoldedText, isUserJsFrame, parseFoldedText, topSelfFrames, topTotalFrames, type StackSample } from './folded.ts';
import { cleanKernelSymbol, cleanPerfMapJsName, cleanUserSymbol, frameKind } from './frames.ts';
import { lookupPerfMap, parsePerfMap } from './perf-map.ts';
import { recordsToSamples } from './symbolize.ts';
import { v8ProfileToSamples, type V8CpuProfile } from './v8-profile.ts';
import { attributeSamples, buildWindowStacks, samplesOfKind, type TraceWindow } from './windows.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const read = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

interface WindowFixture {
  tid: number;
  hz: number;
  intervalUs?: number;
  profile?: V8CpuProfile;
  windows: Array<{ id: string; kind: 'violation' | 'baseline'; startNs: string; endNs: string }>;
}

function loadWindows(name: string): { fixture: WindowFixture; windows: TraceWindow[] } {
  const fixture = JSON.parse(read(name)) as WindowFixture;
  return { fixture, windows: fixture.windows.map((w) => ({ ...w, startNs: BigInt(w.startNs), endNs: BigInt(w.endNs) })) };
}

const hasParseHeader = (frames: readonly string[]): boolean => frames.some((f) => f.startsWith('parseHeader ('));

function bpftraceFixture(): { samples: StackSample[]; windows: TraceWindow[]; fixture: WindowFixture; unresolved: number; fromPerfMap: number } {
  const parsed = parseBpftraceOutput(read('parse-header.bpftrace.txt'));
  const { samples, stats } = recordsToSamples(parsed.records, { perfMap: parsePerfMap(read('parse-header.perf.map')) });
  return { samples, ...loadWindows('parse-header.bpftrace.windows.json'), unresolved: stats.unresolvedByBpftrace, fromPerfMap: stats.resolvedFromPerfMap };
}

describe('bpftrace program and output', () => {
  it('builds a program from validated integers only', () => {
    const program = buildBpftraceProgram({ pid: 1234, hz: 99, offCpu: true, minOffCpuUs: 1000, maxSeconds: 60 });
    expect(program).toContain('profile:hz:99 /pid == 1234/');
    expect(program).toContain('tracepoint:sched:sched_switch');
    expect(buildBpftraceProgram({ pid: 1, hz: 49, offCpu: false, minOffCpuUs: 0, maxSeconds: 1 })).not.toContain('sched_switch');
    expect(() => buildBpftraceProgram({ pid: 1.5, hz: 99, offCpu: false, minOffCpuUs: 0, maxSeconds: 1 })).toThrow(RangeError);
    expect(() => buildBpftraceProgram({ pid: 1, hz: 0, offCpu: false, minOffCpuUs: 0, maxSeconds: 1 })).toThrow(RangeError);
  });

  it('parses recorded output: attach line, ready time, on- and off-CPU records', () => {
    const parsed = parseBpftraceOutput(read('parse-header.bpftrace.txt'));
    expect(parsed.attachedProbes).toBe(6);
    expect(parsed.readyAtNs).toBeTypeOf('bigint');
    expect(parsed.unexpected).toEqual([]);
    const on = parsed.records.filter((r) => r.type === 'on-cpu');
    const off = parsed.records.filter((r) => r.type === 'off-cpu');
    expect(on.length).toBeGreaterThan(20);
    expect(off.length).toBeGreaterThan(0);
    expect(on.every((r) => r.user.length > 0)).toBe(true);
    expect(off.every((r) => (r.durationNs ?? 0) > 0 && r.offCpuReason !== undefined)).toBe(true);
  });

  it('gives the same records whatever the chunking of stdout', () => {
    const text = read('parse-header.bpftrace.txt');
    const whole = parseBpftraceOutput(text).records;
    const rng = createRng(7);
    const parser = new BpftraceOutputParser();
    for (let i = 0; i < text.length; ) {
      const n = 1 + Math.floor(rng.next() * 300);
      parser.feed(text.slice(i, i + n));
      i += n;
    }
    parser.end();
    expect(parser.records).toEqual(whole);
  });

  it('drops an entry cut off by a kill mid-print', () => {
    const parsed = parseBpftraceOutput('@on0[10, 1, \n\t1000 main+1 (/usr/bin/node)\n, ]: 1\n@on0[20, 1, \n\t1000 main+1 (/usr/bin/node)\n');
    expect(parsed.records.map((r) => r.tNs)).toEqual([10n]);
  });

  it('reads map entries with empty stacks and puts batches in time order', () => {
    const text = [
      '@on1[30, 7, ',
      '\t1000 main+1 (/usr/bin/node)',
      ', ',
      '\tffffffff81000130 entry_SYSCALL_64_after_hwframe+118',
      ']: 1',
      '@on0[20, 7, , ]: 1',
      '@off0[10, 7, 2000000, 1, , ',
      '\tffffffff81000130 schedule+1',
      ']: 1',
      '',
      '@epoch: 1',
    ].join('\n');
    const parsed = parseBpftraceOutput(text);
    expect(parsed.records.map((r) => [r.type, r.tNs, r.user.length, r.kernel.length])).toEqual([
      ['off-cpu', 10n, 0, 1],
      ['on-cpu', 20n, 0, 0],
      ['on-cpu', 30n, 1, 1],
    ]);
    expect(parsed.records[0]?.offCpuReason).toBe('blocked');
    expect(parsed.unexpected).toEqual(['@epoch: 1']);
  });

  it('classifies sched_switch prev_state: runnable is preemption', () => {
    expect(offCpuReason(0)).toBe('preempted');
    expect(offCpuReason(0x100)).toBe('preempted');
    expect(offCpuReason(1)).toBe('blocked');
    expect(offCpuReason(2)).toBe('blocked');
  });
});

describe('symbols', () => {
  it('resolves the JIT frames bpftrace left bare from the perf map', () => {
    const { samples, unresolved, fromPerfMap } = bpftraceFixture();
    expect(unresolved).toBeGreaterThan(0);
    expect(fromPerfMap).toBeGreaterThan(0);
    expect(samples.some((s) => hasParseHeader(s.frames))).toBe(true);
  });

  it('later perf-map entries win where code memory was reused', () => {
    const map = parsePerfMap('1000 100 JS:*old a.js:1:1\n1000 80 JS:*new b.js:2:1\n2000 10 Stub:x\n');
    expect(lookupPerfMap(map, 0x1010)?.name).toBe('JS:*new b.js:2:1');
    expect(lookupPerfMap(map, 0x1090)?.name).toBe('JS:*old a.js:1:1');
    expect(lookupPerfMap(map, 0x1500)).toBeUndefined();
  });

  it('cleans frame names and keeps their kind', () => {
    expect(cleanPerfMapJsName('JS:*parseHeader file:///srv/app/x.js:12:3')).toBe('parseHeader (x.js:12:3)');
    expect(cleanPerfMapJsName('JS:~get size /srv/a.js:4:1', { pathRoot: '/srv' })).toBe('get size (a.js:4:1)');
    expect(cleanUserSymbol('v8::internal::Foo::bar(int, char const*) const')).toBe('v8::internal::Foo::bar');
    expect(cleanUserSymbol('0x7f00')).toBe('[unknown]');
    expect(frameKind(cleanKernelSymbol('__schedule'))).toBe('kernel');
    expect(frameKind('parseHeader (x.js:1:2)')).toBe('js');
    expect(frameKind('Builtins_RegExpPrototypeExec')).toBe('v8-stub');
    expect(isUserJsFrame('readFile (node:fs:1:1)')).toBe(false);
  });
});

describe('folded stacks', () => {
  const s = (frames: string[]): StackSample => ({ tNs: 0n, frames, onCpu: true });
  it('folds, prints and parses the flamegraph.pl format', () => {
    const folded = foldSamples([s(['a', 'b']), s(['a', 'b']), s(['a', 'c'])]);
    expect(formatFoldedText(folded)).toBe('a;b 2\na;c 1\n');
    expect(parseFoldedText(formatFoldedText(folded))).toEqual(folded);
  });

  it('counts recursion once for totals and skips unknown leaves for self', () => {
    const folded = foldSamples([s(['f', 'g', 'f']), s(['f', 'h', '[unknown]'])]);
    expect(topTotalFrames(folded).find((t) => t.frame === 'f')?.count).toBe(2);
    expect(topSelfFrames(folded).map((t) => [t.frame, t.count])).toEqual([
      ['f', 1],
      ['h', 1],
    ]);
  });

  it('cuts the harness frames below the call into the target', () => {
    const frames = ['node::Start', 'runReplayTrace (replay-trace.ts:9:1)', 'timedCall (harness/drivers/isolate/measured-loop.ts:93:17)', 'target (t.ts:1:1)', 'parseHeader (t.ts:5:1)'];
    expect(trimToTargetCall(frames)).toEqual(['target (t.ts:1:1)', 'parseHeader (t.ts:5:1)']);
    expect(trimToTargetCall(['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('attribution to call windows', () => {
  const win = (id: string, kind: TraceWindow['kind'], start: number, end: number): TraceWindow => ({ id, kind, startNs: BigInt(start), endNs: BigInt(end) });
  const at = (t: number, frames: string[], tid = 1): StackSample => ({ tNs: BigInt(t), frames, onCpu: true, tid });

  it('gives a sample to each window id containing it, once, and honours the tid filter', () => {
    const windows = [win('v', 'violation', 0, 100), win('v', 'violation', 50, 150), win('b', 'baseline', 120, 200)];
    const byId = attributeSamples([at(60, ['x']), at(130, ['y']), at(130, ['z'], 2), at(300, ['w'])], windows, { tids: new Set([1]) });
    expect(byId.get('v')?.map((x) => x.frames[0])).toEqual(['x', 'y']);
    expect(byId.get('b')?.map((x) => x.frames[0])).toEqual(['y']);
  });

  it('clips off-CPU intervals to the windows they overlap', () => {
    const windows = [win('v', 'violation', 100, 200), win('v', 'violation', 150, 250)];
    const off: StackSample = { tNs: 50n, frames: ['epoll_wait'], onCpu: false, durationNs: 500, offCpuReason: 'blocked', tid: 1 };
    const got = attributeSamples([off], windows).get('v');
    expect(got?.[0]?.durationNs).toBe(150);
    expect(samplesOfKind([off], windows, 'violation')[0]?.tNs).toBe(100n);
  });

  it('estimates the on-CPU share: samples x period for bpftrace, idle samples for V8', () => {
    const samples = [at(10, ['a']), at(20, ['a'])];
    const bpf = buildWindowStacks({ windowId: 'v', backend: 'bpftrace', samples, windowNs: 100n, samplePeriodNs: 10 });
    expect(bpf.onCpuRatio).toBeCloseTo(0.2);
    const idle: StackSample = { tNs: 30n, frames: ['(idle)'], onCpu: false };
    const v8 = buildWindowStacks({ windowId: 'v', backend: 'v8-inspector', samples: [...samples, idle], windowNs: 100n, samplePeriodNs: 10 });
    expect(v8.onCpuRatio).toBeCloseTo(2 / 3);
    expect(buildWindowStacks({ windowId: 'v', backend: 'bpftrace', samples, windowNs: 15n, samplePeriodNs: 10 }).onCpuRatio).toBeUndefined();
  });

  it('bpftrace fixture: parseHeader is in every violation stack, a top-3 frame, and the top growth vs baseline', () => {
    const { samples, windows, fixture } = bpftraceFixture();
    const stacks = buildFindingStacks({ backend: 'bpftrace', reason: null, samples, windows, tids: new Set([fixture.tid]), samplePeriodNs: 1e9 / fixture.hz }).get('slow');
    expect(stacks).toBeDefined();
    expect(stacks?.samples).toBeGreaterThan(5);
    expect(stacks?.folded.every((f) => f.stack.includes('parseHeader ('))).toBe(true);
    expect(stacks?.topTotal.slice(0, 3).map((t) => t.frame).some((f) => f.startsWith('parseHeader ('))).toBe(true);
    expect(stacks?.diff?.find((d) => frameKind(d.frame) === 'js')?.frame).toMatch(/^parseHeader \(/);
    // Harness frames are cut away: the target's entry is the root of every stack.
    expect(stacks?.folded.some((f) => f.stack.includes('timedCall'))).toBe(false);
    const baseline = samplesOfKind(samples, windows, 'baseline', { tids: new Set([fixture.tid]) }).filter((x) => x.onCpu);
    expect(baseline.length).toBeGreaterThan(5);
    expect(baseline.filter((x) => hasParseHeader(x.frames)).length / baseline.length).toBeLessThan(0.2);
  });

  it('V8 fixture: the same attribution from the inspector profile', () => {
    const { fixture, windows } = loadWindows('parse-header.v8.json');
    const samples = v8ProfileToSamples(fixture.profile as V8CpuProfile, { tid: fixture.tid });
    const stacks = buildFindingStacks({ backend: 'v8-inspector', reason: null, samples, windows, tids: new Set([fixture.tid]), samplePeriodNs: (fixture.intervalUs ?? 10_000) * 1000 }).get('slow');
    expect(stacks?.samples).toBeGreaterThan(5);
    expect(stacks?.topSelf.slice(0, 3).map((t) => t.frame).some((f) => f.startsWith('parseHeader ('))).toBe(true);
    expect(stacks?.diff?.[0]?.frame).toMatch(/^parseHeader \(/);
    expect(stacks?.onCpuRatio).toBeGreaterThan(0.5);
  });
});

describe('trace phase inputs', () => {
  const finding = (id: string, kind: Finding['kind'], latencyMs: number): Finding => ({ id, kind, latencyMs }) as Finding;
  it('traces latency violations only, slowest first, at most N', () => {
    const picked = selectFindingsToTrace([finding('a', 'slow', 20), finding('b', 'error', 99), finding('c', 'timeout', 2000), finding('d', 'slow', 30)], 2);
    expect(picked.map((f) => f.id)).toEqual(['c', 'd']);
  });

  it('parses --trace and --trace-hz', () => {
    const cmd = parseCli(['run', 'x.scenario.ts', '--trace', 'v8', '--trace-hz', '199']);
    expect(cmd).toMatchObject({ command: 'run', trace: 'v8', traceHz: 199 });
    expect(parseCli(['run', 'x.scenario.ts'])).toMatchObject({ trace: 'auto', traceHz: 99 });
    expect(() => parseCli(['run', 'x', '--trace', 'perf'])).toThrow(/--trace/);
    expect(() => parseCli(['run', 'x', '--trace-hz', '0'])).toThrow(/--trace-hz/);
  });
});

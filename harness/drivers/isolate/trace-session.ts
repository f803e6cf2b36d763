/**
 * One trace session (I/O): an isolate in replay-trace mode (./replay-trace.ts) replays the
 * violating inputs between baseline calls while a sampler records stacks: bpftrace on the
 * isolate's process, or the V8 profiler inside its worker. The call windows the worker reports
 * and the samples meet in ./finding-stacks.ts.
 *
 * Order of events with bpftrace: the isolate is forked first (its pid is known at once), then
 * bpftrace is spawned on that pid while the isolate still loads the scenario; windows that
 * opened before the probes were live are dropped, so a slow attach costs samples, not accuracy.
 */
import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FindingStacks } from '../../core/results-schema.ts';
import { startIsolate, type IsolateExit } from './isolate.ts';
import type { HostEvent, IsolateConfig } from './protocol.ts';
import { traceNodeFlags } from '../../trace/backend.ts';
import { startBpftrace, type BpftraceSession, type BpftraceStats } from '../../trace/bpftrace.ts';
import { sourceMappedLocation } from '../../trace/source-maps.ts';
import type { StackSample } from '../../trace/folded.ts';
import { buildFindingStacks, type StackBackend } from '../../trace/finding-stacks.ts';
import type { ReplayTraceSpec, TraceDoneMessage, TraceWindowMessage } from './trace-protocol.ts';
import { v8ProfileToSamples, type V8CpuProfile } from '../../trace/v8-profile.ts';
import type { TraceWindow } from '../../trace/windows.ts';

export interface TraceSessionOptions {
  scenario: IsolateConfig['scenario'];
  seed: number;
  violations: Array<{ id: string; input: Uint8Array }>;
  baseline: Uint8Array[];
  backend: StackBackend;
  /** Why this backend (goes into each finding's stacks). */
  reason: string | null;
  hz: number;
  /** How long the isolate replays, ms (after it loaded the scenario). */
  durationMs: number;
  /** bpftrace only: record off-CPU intervals from sched_switch. Default true. */
  offCpu?: boolean;
  /** bpftrace only: stop TurboFan inlining so each JS function keeps its own frame. Default true. */
  attributeInlined?: boolean;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Script paths in frame names are shown relative to this. */
  pathRoot?: string;
  /** Keep the raw samples and windows in the result (fixtures, benches). */
  keepRaw?: boolean;
}

export interface TraceSessionResult {
  backend: StackBackend;
  /** Stacks per violation id. */
  stacks: Map<string, FindingStacks>;
  /** From the session's start to the sampler running (bpftrace probes attached / V8 profiler started), ms. */
  startupMs: number | null;
  /** bpftrace only: from spawning bpftrace to its probes attached, ms. */
  attachMs: number | null;
  /** From the isolate's end to the samples symbolised (bpftrace: SIGINT, printing, perf-map lookups), ms. */
  stopMs: number;
  /** The whole session, ms. */
  totalMs: number;
  calls: { violation: number; baseline: number };
  windows: number;
  /** Windows dropped because they opened before the sampler ran. */
  windowsBeforeAttach: number;
  samples: number;
  notes: string[];
  bpftrace?: BpftraceStats;
  raw?: { samples: StackSample[]; windows: TraceWindow[]; tid: number | null; bpftraceOutput: string; perfMap: string; profile: V8CpuProfile | null };
}

const msSince = (t0: bigint, t1: bigint | undefined): number | null => (t1 === undefined ? null : Number(t1 - t0) / 1e6);

/** How much longer than the scenario's timeout a V8-profiled replay call may run. */
const V8_SESSION_TIMEOUT_FACTOR = 4;

function replayConfig(options: TraceSessionOptions, spec: ReplayTraceSpec): IsolateConfig {
  const first = options.violations[0]?.input ?? new Uint8Array(0);
  // Under the V8 profiler a call the watchdog ends takes the whole profile with it, and a slow
  // finding (it returned within the timeout when found) can run past the timeout when replayed
  // on a loaded machine. The windows time each call anyway, so the session's watchdog is wider.
  const timeoutMs = spec.v8Profiler ? options.scenario.timeoutMs * V8_SESSION_TIMEOUT_FACTOR : options.scenario.timeoutMs;
  return {
    scenario: { ...options.scenario, timeoutMs },
    seed: options.seed,
    mode: { kind: 'replay', input: first, repeats: 0, trace: spec },
    seeds: [],
    confirmRepeats: 0,
    snapshotIntervalMs: 1000,
    generation: 0,
    avoid: [],
  };
}

/** Collects what the isolate reports: the worker's tid, windows (open ones too) and the end message. */
class SessionEvents {
  tid: number | null = null;
  done: TraceDoneMessage | null = null;
  fatal: string | null = null;
  /** Why the host ended a worker during the session (a timeout, a cut call, memory), as it reported it. */
  readonly deaths: string[] = [];
  readonly windows = new Map<number, TraceWindowMessage>();

  onEvent = (event: HostEvent): void => {
    if (event.type === 'ready') this.tid = event.tid > 0 ? event.tid : null;
    else if (event.type === 'trace-window') this.windows.set(event.seq, event);
    else if (event.type === 'trace-done') this.done = event;
    else if (event.type === 'fatal') this.fatal = event.message;
    else if (event.type === 'finding' && this.deaths.length < 3) this.deaths.push(`${event.kind}: ${event.message ?? ''}`.slice(0, 200));
  };

  /** A violating call that never returned (watchdog) ends when the isolate ended. */
  traceWindows(endedAtNs: bigint): TraceWindow[] {
    return [...this.windows.values()].map((w) => ({ id: w.id, kind: w.kind, startNs: w.startNs, endNs: w.endNs ?? endedAtNs }));
  }
}

export async function runTraceSession(options: TraceSessionOptions): Promise<TraceSessionResult> {
  const t0 = process.hrtime.bigint();
  const useBpftrace = options.backend === 'bpftrace';
  const intervalUs = Math.max(100, Math.round(1e6 / options.hz));
  const goFile = path.join(tmpdir(), `slo-harness-trace-go-${process.pid}-${randomBytes(6).toString('hex')}`);
  const spec: ReplayTraceSpec = {
    violations: options.violations,
    baseline: options.baseline,
    durationMs: options.durationMs,
    v8Profiler: useBpftrace ? null : { intervalUs },
    // bpftrace attaches in ~0.3-2 s (more under load): the replay waits for it rather than run unsampled.
    ...(useBpftrace ? { waitForFile: { path: goFile, timeoutMs: 30_000 } } : {}),
  };
  const events = new SessionEvents();
  const isolate = startIsolate(replayConfig(options, spec), {
    onEvent: events.onEvent,
    nodeFlags: useBpftrace ? traceNodeFlags({ attributeInlined: options.attributeInlined ?? true }) : [],
  });
  const onAbort = (): void => isolate.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let bpf: BpftraceSession | null = null;
  let exit: IsolateExit;
  const raw = { output: '', perfMap: '' };
  try {
    if (useBpftrace) {
      bpf = await startBpftrace({
        pid: isolate.pid,
        hz: options.hz,
        offCpu: options.offCpu ?? true,
        maxSeconds: Math.ceil(options.durationMs / 1000) + Math.ceil(options.scenario.timeoutMs / 1000) + 120,
        ...(options.env ? { env: options.env } : {}),
        ...(options.pathRoot !== undefined ? { pathRoot: options.pathRoot } : {}),
        ...(options.keepRaw ? { onStdout: (chunk: string) => void (raw.output += chunk) } : {}),
      });
      await Promise.race([bpf.attached.catch(() => undefined), isolate.exited]);
      await writeFile(goFile, '');
    }
    exit = await isolate.exited;
  } catch (error) {
    isolate.kill();
    await isolate.exited;
    await bpf?.stop().catch(() => undefined);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await unlink(goFile).catch(() => undefined);
  }
  const endedAtNs = process.hrtime.bigint();
  return collect(options, { events, bpf, exit, t0, endedAtNs, intervalUs, pid: isolate.pid, raw });
}

interface Collected {
  events: SessionEvents;
  bpf: BpftraceSession | null;
  exit: IsolateExit;
  t0: bigint;
  endedAtNs: bigint;
  intervalUs: number;
  pid: number;
  raw: { output: string; perfMap: string };
}

async function collect(options: TraceSessionOptions, c: Collected): Promise<TraceSessionResult> {
  const notes: string[] = [];
  let samples: StackSample[] = [];
  let startedAtNs: bigint | undefined;
  let attachMs: number | null = null;
  let periodNs: number;
  if (c.bpf) {
    samples = await c.bpf.stop();
    if (options.keepRaw) c.raw.perfMap = await readFile(`/tmp/perf-${c.pid}.map`, 'utf8').catch(() => '');
    await unlink(`/tmp/perf-${c.pid}.map`).catch(() => undefined);
    startedAtNs = c.bpf.attachedAtNs();
    attachMs = msSince(c.bpf.spawnedAtNs, startedAtNs);
    periodNs = 1e9 / options.hz;
    if (startedAtNs === undefined) notes.push(`bpftrace never attached: ${c.bpf.stats()?.stderr.slice(0, 300) ?? ''}`);
  } else {
    periodNs = c.intervalUs * 1000;
    const profile = c.events.done?.profile;
    if (profile) {
      samples = v8ProfileToSamples(profile, {
        mapLocation: sourceMappedLocation,
        ...(c.events.tid !== null ? { tid: c.events.tid } : {}),
        ...(options.pathRoot !== undefined ? { pathRoot: options.pathRoot } : {}),
      });
      startedAtNs = BigInt(Math.round(profile.startTime)) * 1000n;
    } else {
      notes.push(c.events.done?.profilerError ?? 'no V8 profile: the worker ended before the trace loop finished (hung call?)');
    }
  }
  if (c.events.fatal) notes.push(`isolate: ${c.events.fatal}`);
  for (const death of c.events.deaths) notes.push(`isolate ended a worker: ${death}`);
  if (c.exit.code !== 0 && c.exit.signal) notes.push(`isolate ended by ${c.exit.signal}`);
  const all = c.events.traceWindows(c.endedAtNs);
  const windows = startedAtNs === undefined ? [] : all.filter((w) => w.startNs >= (startedAtNs as bigint));
  const tids = c.events.tid !== null ? new Set([c.events.tid]) : undefined;
  const stacks = buildFindingStacks({ backend: options.backend, reason: options.reason, samples, windows, samplePeriodNs: periodNs, ...(tids ? { tids } : {}) });
  const result: TraceSessionResult = {
    backend: options.backend,
    stacks,
    startupMs: msSince(c.t0, startedAtNs),
    attachMs,
    calls: c.events.done?.calls ?? { violation: all.filter((w) => w.kind === 'violation').length, baseline: 0 },
    windows: windows.length,
    windowsBeforeAttach: all.length - windows.length,
    samples: samples.length,
    notes,
    stopMs: Number(process.hrtime.bigint() - c.endedAtNs) / 1e6,
    totalMs: Number(process.hrtime.bigint() - c.t0) / 1e6,
  };
  const stats = c.bpf?.stats();
  if (stats) result.bpftrace = stats;
  if (options.keepRaw) result.raw = { samples, windows, tid: c.events.tid, bpftraceOutput: c.raw.output, perfMap: c.raw.perfMap, profile: c.events.done?.profile ?? null };
  return result;
}

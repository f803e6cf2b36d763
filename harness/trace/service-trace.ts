/**
 * Stack traces of an HTTP service process during its measured load phase (I/O). The pure part
 * (request windows, attribution, the results.json section) is ./service-stacks.ts.
 *
 * bpftrace when it can run here: `profile:hz` on the service pid for the load phase only (not the
 * breaking-point steps). A Node service is started with the perf-map flags in NODE_OPTIONS so its
 * JS frames resolve from /tmp/perf-<pid>.map; any other binary gets native symbols only. TurboFan
 * inlining stays on (`--no-turbo-inlining` is not allowed in NODE_OPTIONS, and it would slow the
 * service being measured): a function inlined into its caller shows as the caller.
 *
 * Fallback without bpftrace: the inspector cannot be attached to a foreign process cheaply, and
 * Node 20 refuses `--cpu-prof` in NODE_OPTIONS, so a Node service gets `--require` of a tiny
 * preload that runs the V8 profiler in-process and writes the profile when the harness sends
 * SIGUSR2 (at the end of the load phase: the service keeps running). V8's profile clock is
 * CLOCK_MONOTONIC (see ./v8-profile.ts), checked against an hrtime marker the preload reads; a
 * service that is not Node gets no stacks, and the section says why.
 *
 * Request windows: the open-loop generator reports times relative to its own t0, which it does
 * not expose; t0 is recovered as min(now - doneNs) over the responses, since each report is made
 * right after doneNs is read (error: the few µs between the two reads).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResponseInfo } from '../load/types.ts';
import type { ServiceStacks } from '../core/results-schema.ts';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import { chooseTraceBackend, traceNodeFlags, type TraceBackendChoice, type TraceBackendPreference } from './backend.ts';
import { startBpftrace, type BpftraceSession } from './bpftrace.ts';
import type { StackSample } from './folded.ts';
import { buildServiceStacks, noServiceStacks, violationThreshold, type RequestTiming, type ViolationThreshold } from './service-stacks.ts';
import { v8ProfileToSamples, type V8CpuProfile } from './v8-profile.ts';

export interface ServiceTraceOptions {
  mode: 'auto' | 'bpftrace' | 'v8';
  hz: number;
  /** PATH and the rest for finding bpftrace (tests hide it this way). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Script paths in frame names are shown relative to this. */
  pathRoot?: string;
}

/** `{node}`, the harness's own node, or a binary named node / nodejs / node20. */
export function isNodeCommand(command: readonly string[]): boolean {
  const first = command[0];
  if (first === undefined) return false;
  if (first === '{node}' || first === process.execPath) return true;
  return /^node(js)?(\d+(\.\d+)*)?(\.exe)?$/.test(path.basename(first));
}

/** NODE_OPTIONS with `flags` appended (quoted when a path needs it). */
export function appendNodeOptions(existing: string | undefined, flags: readonly string[]): string {
  const quoted = flags.map((f) => (/[\s"\\]/.test(f) ? `"${f.replace(/(["\\])/g, '\\$1')}"` : f));
  return [existing?.trim() ?? '', ...quoted].filter((s) => s.length > 0).join(' ');
}

/**
 * The preload of the V8 fallback (CommonJS, written to a private temp folder). Active only in the
 * process the harness started (ppid check), so the service's own node children are not profiled.
 */
const PRELOAD = `'use strict';
const dir = process.env.SLO_HARNESS_PROFILE_DIR;
if (dir && String(process.ppid) === process.env.SLO_HARNESS_PROFILE_PARENT) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.SLO_HARNESS_PROFILE_INTERVAL_US) || 1000 });
  session.post('Profiler.start');
  const write = (name, data) => { const tmp = path.join(dir, name + '.tmp'); fs.writeFileSync(tmp, data); fs.renameSync(tmp, path.join(dir, name)); };
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      write('profile-' + process.pid + '.json', JSON.stringify({ hrtimeNs: String(process.hrtime.bigint()), error: error ? String(error.message) : null, profile: error ? null : result.profile }));
      session.disconnect();
    });
  });
  write('ready-' + process.pid, '');
}
`;

/** The profiler's clock and ours differ by the time to stop the profiler, not by seconds: beyond this, re-anchor. */
const MAX_CLOCK_SKEW_NS = 1_000_000_000n;
const PROFILE_WAIT_MS = 5000;
const ATTACH_TIMEOUT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Records each request's [sent, done] on the CLOCK_MONOTONIC clock (see the module comment). */
export class RequestRecorder {
  private t0Ns: bigint | null = null;
  private readonly raw: Array<{ sentNs: number; doneNs: number; correctedMs: number }> = [];

  readonly onSettled = (info: ResponseInfo): void => {
    const now = process.hrtime.bigint();
    const t0 = now - BigInt(Math.round(info.doneNs));
    if (this.t0Ns === null || t0 < this.t0Ns) this.t0Ns = t0;
    // The latency histogram's rule: responses and timeouts count; abandoned requests and fast failures do not.
    if (info.error !== null && info.error !== 'timeout') return;
    this.raw.push({ sentNs: info.sentNs, doneNs: info.doneNs, correctedMs: (info.doneNs - info.intendedNs) / 1e6 });
  };

  timings(): RequestTiming[] {
    const t0 = this.t0Ns ?? 0n;
    return this.raw.map((r) => ({ sentNs: t0 + BigInt(Math.round(r.sentNs)), doneNs: t0 + BigInt(Math.round(r.doneNs)), correctedMs: r.correctedMs }));
  }
}

interface Sampled {
  samples: StackSample[];
  tids?: ReadonlySet<number>;
  periodNs: number;
  notes: string[];
}

/** One service's trace: `prepare` before the service starts, `around` the load phase, `result` after. */
export class ServiceTracer {
  private bpf: BpftraceSession | null = null;
  private pid = -1;
  private phase = { startNs: 0n, endNs: 0n };
  private sampled: Sampled | null = null;
  private readonly recorder = new RequestRecorder();
  private readonly notes: string[] = [];

  private constructor(
    private readonly options: ServiceTraceOptions,
    readonly choice: TraceBackendChoice,
    private readonly node: boolean,
    private readonly profileDir: string | null,
    /** Extra environment for the service process. */
    readonly serviceEnv: Record<string, string>,
    private readonly threshold: ViolationThreshold,
  ) {}

  static async prepare(scenario: ResolvedServiceScenario, options: ServiceTraceOptions): Promise<ServiceTracer> {
    const prefer: TraceBackendPreference = options.mode;
    const choice = await chooseTraceBackend({ prefer, ...(options.env ? { env: options.env } : {}) });
    const node = isNodeCommand(scenario.service.command);
    const existing = scenario.service.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS;
    const threshold = violationThreshold(scenario.slo);
    let env: Record<string, string> = {};
    let profileDir: string | null = null;
    if (node && choice.backend === 'bpftrace') env = { NODE_OPTIONS: appendNodeOptions(existing, traceNodeFlags()) };
    if (node && choice.backend === 'v8-inspector') {
      profileDir = await mkdtemp(path.join(tmpdir(), 'slo-harness-svc-prof-'));
      const preload = path.join(profileDir, `preload-${randomBytes(4).toString('hex')}.cjs`);
      await writeFile(preload, PRELOAD);
      env = {
        NODE_OPTIONS: appendNodeOptions(existing, ['--require', preload]),
        SLO_HARNESS_PROFILE_DIR: profileDir,
        SLO_HARNESS_PROFILE_PARENT: String(process.pid),
        SLO_HARNESS_PROFILE_INTERVAL_US: String(Math.max(100, Math.round(1e6 / options.hz))),
      };
    }
    const tracer = new ServiceTracer(options, choice, node, profileDir, env, threshold);
    const fallback = choice.backend === 'v8-inspector' && options.mode !== 'v8' ? ` (fallback: ${choice.reason})` : '';
    const foreign = choice.backend === 'bpftrace' ? ', not a Node service: native frames only' : ', not a Node service: no stacks';
    options.log?.(`service trace: ${choice.backend}${fallback}, ${options.hz} Hz${node ? '' : foreign}`);
    return tracer;
  }

  /** Samples the service `pid` while `load` runs (which gets the per-request hook to pass on). */
  async around<T>(pid: number, load: (onSettled: (info: ResponseInfo) => void) => Promise<T>): Promise<T> {
    this.pid = pid;
    await this.startSampler();
    this.phase.startNs = process.hrtime.bigint();
    try {
      return await load(this.recorder.onSettled);
    } finally {
      this.phase.endNs = process.hrtime.bigint();
      this.sampled = await this.stopSampler().catch((error: unknown) => ({ samples: [], periodNs: 1, notes: [`sampler failed: ${(error as Error).message}`] }));
    }
  }

  private async startSampler(): Promise<void> {
    if (this.choice.backend !== 'bpftrace') return;
    try {
      this.bpf = await startBpftrace({
        pid: this.pid,
        hz: this.options.hz,
        offCpu: true,
        maxSeconds: 3600,
        ...(this.options.env ? { env: this.options.env } : {}),
        ...(this.options.pathRoot !== undefined ? { pathRoot: this.options.pathRoot } : {}),
      });
      // The load waits for the probes (~0.3-2 s) rather than run unsampled.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`probes not attached after ${ATTACH_TIMEOUT_MS} ms`)), ATTACH_TIMEOUT_MS)));
      await Promise.race([this.bpf.attached, timeout]).finally(() => clearTimeout(timer));
    } catch (error) {
      this.notes.push(`bpftrace did not start: ${(error as Error).message.slice(0, 300)}`);
    }
  }

  private async stopSampler(): Promise<Sampled> {
    if (this.bpf) {
      const samples = await this.bpf.stop();
      const stats = this.bpf.stats();
      const notes = stats && stats.lostEvents > 0 ? [`bpftrace lost ${stats.lostEvents} event(s)`] : [];
      // A Node service: main thread only (its JS runs there; the V8 fallback samples it alone). Other binaries: every thread.
      return { samples, ...(this.node ? { tids: new Set([this.pid]) } : {}), periodNs: 1e9 / this.options.hz, notes };
    }
    if (this.profileDir && this.node) return this.collectProfile();
    return { samples: [], periodNs: 1, notes: [] };
  }

  /** V8 fallback: SIGUSR2 to the service, then its profile file (only if the preload said it runs). */
  private async collectProfile(): Promise<Sampled> {
    const dir = this.profileDir as string;
    const empty = (note: string): Sampled => ({ samples: [], periodNs: 1, notes: [note] });
    if (!existsSync(path.join(dir, `ready-${this.pid}`))) return empty('the profiler preload did not run in the service (not started by node directly?)');
    try {
      process.kill(this.pid, 'SIGUSR2');
    } catch (error) {
      return empty(`cannot signal the service: ${(error as Error).message}`);
    }
    const file = path.join(dir, `profile-${this.pid}.json`);
    for (let waited = 0; waited < PROFILE_WAIT_MS && !existsSync(file); waited += 50) await sleep(50);
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) return empty(`no V8 profile from the service within ${PROFILE_WAIT_MS} ms`);
    const parsed = JSON.parse(text) as { hrtimeNs: string; error: string | null; profile: V8CpuProfile | null };
    if (!parsed.profile) return empty(`V8 profiler failed in the service: ${parsed.error ?? 'no profile'}`);
    const samples = v8ProfileToSamples(parsed.profile, this.options.pathRoot !== undefined ? { pathRoot: this.options.pathRoot } : {});
    const skew = BigInt(Math.round(parsed.profile.endTime)) * 1000n - BigInt(parsed.hrtimeNs);
    const periodNs = Math.max(100, Math.round(1e6 / this.options.hz)) * 1000;
    if (skew > MAX_CLOCK_SKEW_NS || skew < -MAX_CLOCK_SKEW_NS) {
      // V8's clock is not CLOCK_MONOTONIC here: re-anchor on the marker the preload read as it stopped the profiler.
      return { samples: samples.map((x) => ({ ...x, tNs: x.tNs - skew })), periodNs, notes: [`V8 profile clock ${Number(skew) / 1e9} s off CLOCK_MONOTONIC: aligned on the profile's end (error: the time to stop the profiler)`] };
    }
    return { samples, periodNs, notes: [] };
  }

  /** The results.json section; call after the load phase (and before or after the service stops). */
  result(): ServiceStacks {
    const sampled = this.sampled;
    const notes = [...this.notes, ...(sampled?.notes ?? [])];
    const none = (why: string): ServiceStacks => {
      this.options.log?.(`service trace: no stacks (${why}${notes.length > 0 ? `; ${notes.join('; ')}` : ''})`);
      return noServiceStacks(`${this.choice.reason}; ${why}`, this.threshold, notes);
    };
    if (!this.node && this.choice.backend !== 'bpftrace') return none('the fallback profiler needs a Node service (started with {node} or a node binary)');
    if (!sampled || sampled.samples.length === 0) return none('no samples of the service');
    const requests = this.recorder.timings();
    // Honest about the cost: unlike a function target's separate trace phase, this sampler ran during the measured phase.
    notes.push(`sampled during the measured load phase at ${this.options.hz} Hz: the sampler's overhead is part of the measured latencies (--trace off to measure without it)`);
    const stacks = buildServiceStacks({
      backend: this.choice.backend,
      reason: this.choice.reason,
      samples: sampled.samples,
      requests,
      threshold: this.threshold,
      phase: this.phase,
      ...(sampled.tids ? { tids: sampled.tids } : {}),
      samplePeriodNs: sampled.periodNs,
      notes,
    });
    const top = (stacks.violation ?? stacks.phase)?.topTotal[0];
    this.options.log?.(
      `service trace: ${stacks.phase?.samples ?? 0} ${this.node ? 'main-thread ' : ''}samples, ${stacks.requests.violating} of ${stacks.requests.violating + stacks.requests.baseline} requests over ${stacks.thresholdMs} ms (${stacks.thresholdFrom})` +
        (top ? `; top frame${stacks.violation ? ' while violating' : ''}: ${top.frame} (${Math.round(top.share * 100)}%)` : ''),
    );
    return stacks;
  }

  /** Removes the temp folder and the service's perf map (the service has stopped). */
  async cleanup(): Promise<void> {
    await this.bpf?.stop().catch(() => undefined);
    if (this.profileDir) await rm(this.profileDir, { recursive: true, force: true }).catch(() => undefined);
    if (this.pid > 0 && this.node && this.choice.backend === 'bpftrace') await unlink(`/tmp/perf-${this.pid}.map`).catch(() => undefined);
  }
}

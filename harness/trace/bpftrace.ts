/**
 * bpftrace backend (I/O): availability checks, and a sampling session on one target pid.
 *
 * The program text comes from ./bpftrace-program.ts and holds only validated numbers; bpftrace is
 * spawned with an argument vector in its own process group, tracked by the process registry
 * (harness/core/process-registry.ts, whose parent-death guard kills it if the harness is SIGKILLed),
 * given a parent-death signal (setpriv) where available and a self-exit timer, so it dies with
 * the run on every exit path. On the normal path stop() sends SIGINT first: bpftrace prints
 * its last batch of samples on SIGINT, so it is never SIGKILLed before its grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BpftraceOutputParser, buildBpftraceProgram, type BpftraceRecord } from './bpftrace-program.ts';
import { trackChild } from '../core/process-registry.ts';
import type { StackSample } from './folded.ts';
import { resolveNativeAddresses, type NativeResolveStats } from './native-symbols.ts';
import { parsePerfMap } from './perf-map.ts';
import { sourceMappedLocation } from './source-maps.ts';
import { recordsToSamples, type SymbolizeStats } from './symbolize.ts';

export interface Availability {
  ok: boolean;
  reason: string;
}

export interface BpftraceAvailability extends Availability {
  /** Absolute path of the bpftrace binary found on PATH. */
  path?: string;
}

/** First executable `name` in the PATH of `env` (default: this process's). */
export function resolveOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir.length === 0) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

/** Root, or CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set. */
export function tracingPrivileges(): Availability {
  if (process.getuid?.() === 0) return { ok: true, reason: 'running as root' };
  let capEff = 0n;
  try {
    const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1] !== undefined) capEff = BigInt(`0x${match[1]}`);
  } catch {
    return { ok: false, reason: 'not root and /proc/self/status unreadable (not Linux?)' };
  }
  const has = (bit: bigint): boolean => ((capEff >> bit) & 1n) === 1n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) return { ok: true, reason: 'has CAP_BPF and CAP_PERFMON' };
  return { ok: false, reason: 'not root and no CAP_BPF/CAP_PERFMON' };
}

export type OffCpuMode = 'tracefs' | 'private-mount' | 'unavailable';

/**
 * Tracepoints need tracefs. When it is not mounted (as on this machine), bpftrace can still use
 * them if it runs in a private mount namespace where we mount tracefs: nothing changes outside.
 */
export function offCpuSupport(env: NodeJS.ProcessEnv = process.env): { mode: OffCpuMode; reason: string } {
  for (const root of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    if (existsSync(`${root}/events/sched/sched_switch`)) return { mode: 'tracefs', reason: `tracefs mounted at ${root}` };
  }
  if (process.getuid?.() !== 0) return { mode: 'unavailable', reason: 'tracefs not mounted and not root to mount it' };
  if (!resolveOnPath('unshare', env) || !resolveOnPath('sh', env)) return { mode: 'unavailable', reason: 'tracefs not mounted and no unshare(1)' };
  return { mode: 'private-mount', reason: 'tracefs mounted in a private mount namespace for bpftrace only' };
}

function bpftraceEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    // bpftrace prints user frames as bare addresses; the harness names them after the capture
    // (native-symbols.ts, perf-map.ts). bpftrace's own resolution costs a readlink and a stat
    // per frame: 4.4% of a core at 99 Hz on a busy HTTP server, against 1.2% without it,
    // CPU taken from the target and the load generator on a small machine.
    BPFTRACE_NO_USER_SYMBOLS: '1',
    BPFTRACE_PERF_RB_PAGES: extra?.BPFTRACE_PERF_RB_PAGES ?? '256',
    // Map size, which bpftrace also gives its stack maps. Their entries are never freed, and a
    // sample whose stack hashes to a bucket taken by another stack loses it ("failed to look up
    // stack id" on stderr): 0.4% of samples within 10 s at 99 Hz on a busy node server with the
    // default 4,096, about 0.1% at 16,384. Cost: ~16 MB of kernel memory per stack map.
    BPFTRACE_MAP_KEYS_MAX: extra?.BPFTRACE_MAP_KEYS_MAX ?? String(STACK_MAP_ENTRIES),
  };
}

/** bpftrace map size (its stack maps included): see bpftraceEnv. */
export const STACK_MAP_ENTRIES = 16_384;

const availabilityCache = new Map<string, Promise<BpftraceAvailability>>();

/** bpftrace on PATH, privileges, and a tiny probe run (cached per binary path). */
export async function bpftraceAvailable(options: { env?: NodeJS.ProcessEnv } = {}): Promise<BpftraceAvailability> {
  const env = options.env ?? process.env;
  const binary = resolveOnPath('bpftrace', env);
  if (!binary) return { ok: false, reason: 'bpftrace not on PATH' };
  const privileges = tracingPrivileges();
  if (!privileges.ok) return { ok: false, reason: privileges.reason, path: binary };
  let probe = availabilityCache.get(binary);
  if (!probe) {
    probe = probeRun(binary, env);
    availabilityCache.set(binary, probe);
  }
  return probe;
}

function probeRun(binary: string, env: NodeJS.ProcessEnv): Promise<BpftraceAvailability> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['-e', 'BEGIN { printf("probe-ok\\n"); exit(); }'], { env: bpftraceEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const untrack = trackChild(child, 'bpftrace probe run');
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      untrack();
      resolve({ ok: false, reason: `bpftrace failed to start: ${e.message}`, path: binary });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (out.includes('probe-ok')) resolve({ ok: true, reason: 'bpftrace on PATH, privileged, probe run ok', path: binary });
      else resolve({ ok: false, reason: `bpftrace probe run failed (${signal ?? `exit ${String(code)}`}): ${meaningfulStderr(err).slice(0, 300)}`, path: binary });
    });
  });
}

/** bpftrace warns about RLIMIT_MEMLOCK on kernels that account BPF memory by cgroup; harmless. */
export function meaningfulStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim().length > 0 && !l.includes('RLIMIT_MEMLOCK'))
    .join('\n');
}

export interface BpftraceSessionOptions {
  pid: number;
  hz?: number;
  offCpu?: boolean;
  /** Off-CPU intervals shorter than this are dropped in the kernel. Default 1000 µs. */
  minOffCpuUs?: number;
  /** bpftrace exits by itself after this long (safety net). Default 3600 s. */
  maxSeconds?: number;
  /** Minimum time between attach and SIGINT (bpftrace sometimes ignores an early SIGINT). Default 1000 ms. */
  minRunMs?: number;
  /** Time allowed after SIGINT before SIGKILL. Default 5000 ms. */
  graceMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Default /tmp/perf-<pid>.map. */
  perfMapPath?: string;
  /** Script paths are shown relative to this; default: base names. */
  pathRoot?: string;
  /** Sees bpftrace's stdout as it arrives (fixture recording). */
  onStdout?: (chunk: string) => void;
}

export interface BpftraceStats {
  records: number;
  lostEvents: number;
  attachedProbes: number | undefined;
  offCpu: OffCpuMode | 'off';
  symbolize: SymbolizeStats;
  /** How native (ELF) frames were named after the capture. */
  native: NativeResolveStats | undefined;
  exit: string;
  stderr: string;
  /** Output lines that fit no record shape (first few). */
  unexpected: string[];
}

export interface BpftraceSession {
  /** bpftrace's pid (after setpriv/unshare exec into it, the same process). */
  readonly processId: number | undefined;
  readonly targetPid: number;
  readonly hz: number;
  /** Resolves once every probe is attached; rejects if bpftrace exits first. */
  readonly attached: Promise<void>;
  /** process.hrtime.bigint() just before spawning bpftrace. */
  readonly spawnedAtNs: bigint;
  /**
   * When the probes were live, on the process.hrtime.bigint() clock: bpftrace's own `nsecs` at its
   * first `R` tick (same CLOCK_MONOTONIC), else the time this process saw the first record.
   */
  attachedAtNs(): bigint | undefined;
  /** Stops sampling (SIGINT, then SIGKILL after the grace period) and returns the samples. */
  stop(): Promise<StackSample[]>;
  /** Available after stop(). */
  stats(): BpftraceStats | undefined;
}

const TRACEFS_MOUNT_SCRIPT = 'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" "$@"';

function commandVector(bpftrace: string, args: string[], offCpu: OffCpuMode | 'off', env: NodeJS.ProcessEnv): string[] {
  let argv = [bpftrace, ...args];
  if (offCpu === 'private-mount') {
    argv = [resolveOnPath('unshare', env) ?? 'unshare', '--mount', '--propagation', 'private', '--', resolveOnPath('sh', env) ?? 'sh', '-c', TRACEFS_MOUNT_SCRIPT, ...argv];
  }
  const setpriv = resolveOnPath('setpriv', env);
  // Parent-death signal: bpftrace dies even if this process is SIGKILLed.
  if (setpriv) argv = [setpriv, '--pdeathsig', 'KILL', '--', ...argv];
  return argv;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startBpftrace(options: BpftraceSessionOptions): Promise<BpftraceSession> {
  const env = options.env ?? process.env;
  const availability = await bpftraceAvailable({ env });
  if (!availability.ok || !availability.path) throw new Error(`bpftrace unavailable: ${availability.reason}`);
  const hz = options.hz ?? 99;
  const offCpu: OffCpuMode | 'off' = options.offCpu ? offCpuSupport(env).mode : 'off';
  const program = buildBpftraceProgram({
    pid: options.pid,
    hz,
    offCpu: offCpu === 'tracefs' || offCpu === 'private-mount',
    minOffCpuUs: options.minOffCpuUs ?? 1000,
    maxSeconds: options.maxSeconds ?? 3600,
  });
  const argv = commandVector(availability.path, ['-B', 'line', '-e', program], offCpu, env);
  const [command, ...args] = argv;
  const spawnedAtNs = process.hrtime.bigint();
  const child = spawn(command ?? availability.path, args, { env: bpftraceEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackChild(child, `bpftrace on pid ${options.pid}`);
  return runSession(child, options, hz, offCpu, spawnedAtNs);
}

function runSession(child: ChildProcess, options: BpftraceSessionOptions, hz: number, offCpu: OffCpuMode | 'off', spawnedAtNs: bigint): BpftraceSession {
  const parser = new BpftraceOutputParser();
  let stderr = '';
  let attachedAt: bigint | undefined;
  // The target's memory maps, read once probes are live and again at stop: a target that has
  // exited by then (a replay worker, a crashed service) is still named from the first reading.
  const mapsTexts: Promise<string | undefined>[] = [];
  let exitText = 'running';
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      exitText = `spawn error: ${e.message}`;
      resolve();
    });
    child.on('close', (code, signal) => {
      exitText = signal ? `signal ${signal}` : `exit ${String(code)}`;
      resolve();
    });
  });
  const attached = new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      options.onStdout?.(chunk);
      parser.feed(chunk);
      if (attachedAt === undefined && parser.ready) {
        attachedAt = process.hrtime.bigint();
        mapsTexts.push(readMaps(options.pid));
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`bpftrace ended before attaching (${exitText}): ${meaningfulStderr(stderr).slice(0, 500)}`)));
  });
  attached.catch(() => undefined); // callers that never await `attached` must not see an unhandled rejection
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 64_000) stderr += d.toString();
  });

  let result: Promise<StackSample[]> | undefined;
  let stats: BpftraceStats | undefined;
  const stop = async (): Promise<StackSample[]> => {
    await Promise.race([attached.catch(() => undefined), exited]);
    await interrupt(child, exited, attachedAt, options);
    parser.end();
    mapsTexts.push(readMaps(options.pid));
    const { samples, symbolize, native } = await symbolizedSamples(parser, mapsTexts, options);
    stats = {
      records: parser.records.length,
      lostEvents: parser.lostEvents,
      attachedProbes: parser.attachedProbes,
      offCpu,
      symbolize,
      native,
      exit: exitText,
      stderr: meaningfulStderr(stderr),
      unexpected: parser.unexpected,
    };
    return samples;
  };
  return {
    processId: child.pid,
    targetPid: options.pid,
    hz,
    attached,
    spawnedAtNs,
    attachedAtNs: () => parser.readyAtNs ?? attachedAt,
    stop: () => (result ??= stop()),
    stats: () => stats,
  };
}

/** Ends a running bpftrace: SIGINT once it has run options.minRunMs, SIGKILL when it outlasts the grace period. */
async function interrupt(child: ChildProcess, exited: Promise<void>, attachedAt: bigint | undefined, options: BpftraceSessionOptions): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const sinceAttachMs = attachedAt === undefined ? 0 : Number(process.hrtime.bigint() - attachedAt) / 1e6;
  const minRunMs = options.minRunMs ?? 1000;
  if (sinceAttachMs < minRunMs) await sleep(minRunMs - sinceAttachMs);
  child.kill('SIGINT');
  // The grace timer is cleared once bpftrace exits: a pending timer would hold the
  // harness's event loop open for the whole grace period after the run is done.
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((resolve) => {
    graceTimer = setTimeout(() => resolve(false), options.graceMs ?? 5000);
  });
  const graceful = await Promise.race([exited.then(() => true), graceOver]);
  clearTimeout(graceTimer);
  if (!graceful) child.kill('SIGKILL');
  await exited;
}

/** The stack samples of an ended session: native frames named from the target's maps, JS frames from its perf map. */
async function symbolizedSamples(
  parser: BpftraceOutputParser,
  mapsTexts: readonly Promise<string | undefined>[],
  options: BpftraceSessionOptions,
): Promise<{ samples: StackSample[]; symbolize: BpftraceStats['symbolize']; native: BpftraceStats['native'] }> {
  const native = await nameNativeFrames(parser.records, (await Promise.all(mapsTexts)).filter((t): t is string => t !== undefined));
  const perfMap = await readPerfMap(options.perfMapPath ?? `/tmp/perf-${options.pid}.map`);
  const symbolizeOptions = { mapLocation: sourceMappedLocation, ...(perfMap ? { perfMap } : {}), ...(options.pathRoot !== undefined ? { pathRoot: options.pathRoot } : {}) };
  const { samples, stats: symbolize } = recordsToSamples(parser.records, symbolizeOptions);
  return { samples, symbolize, native };
}

async function readMaps(pid: number): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return undefined; // the target has exited
  }
}

/**
 * Names the bare user addresses that fall in the target's mapped ELF files (node, libc, addons),
 * in place, as bpftrace would have printed them. The rest (JIT code) is left to the perf map.
 */
async function nameNativeFrames(records: readonly BpftraceRecord[], mapsTexts: readonly string[]): Promise<NativeResolveStats | undefined> {
  if (mapsTexts.length === 0) return undefined;
  const bare = new Set<string>();
  for (const record of records) for (const frame of record.user) if (frame.symbol === undefined) bare.add(frame.address);
  if (bare.size === 0) return undefined;
  const { names, stats } = await resolveNativeAddresses(mapsTexts, [...bare]);
  for (const record of records) {
    for (const frame of record.user) {
      const named = frame.symbol === undefined ? names.get(frame.address) : undefined;
      if (named === undefined) continue;
      frame.symbol = named.symbol;
      frame.module = named.module;
    }
  }
  return stats;
}

async function readPerfMap(file: string): Promise<ReturnType<typeof parsePerfMap> | undefined> {
  try {
    return parsePerfMap(await readFile(file, 'utf8'));
  } catch {
    return undefined; // target not started with --perf-basic-prof*: JIT frames stay [unknown]
  }
}

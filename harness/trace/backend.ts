/**
 * Which stack-sampling backend a run uses, and why. bpftrace when it can run here (binary on PATH,
 * root or CAP_BPF + CAP_PERFMON, a probe run works); else the V8 inspector profiler inside the
 * target's worker. The reason goes into the report.
 */
import { bpftraceAvailable } from './bpftrace.ts';

export type TraceBackend = 'bpftrace' | 'v8-inspector';
export type TraceBackendPreference = 'bpftrace' | 'v8' | 'auto';

export interface TraceBackendChoice {
  backend: TraceBackend;
  reason: string;
}

export interface ChooseTraceBackendOptions {
  prefer?: TraceBackendPreference;
  /** Environment whose PATH is searched for bpftrace (tests hide it this way). */
  env?: NodeJS.ProcessEnv;
}

/**
 * `prefer: 'bpftrace'` still falls back to V8 when bpftrace cannot run (the reason says so): a run
 * never loses its stacks because of a preference.
 */
export async function chooseTraceBackend(options: ChooseTraceBackendOptions = {}): Promise<TraceBackendChoice> {
  const prefer = options.prefer ?? 'auto';
  if (prefer === 'v8') return { backend: 'v8-inspector', reason: 'V8 inspector profiler requested' };
  if (process.platform !== 'linux') return { backend: 'v8-inspector', reason: `eBPF needs Linux (platform ${process.platform}); using the V8 inspector profiler` };
  const availability = await bpftraceAvailable(options.env ? { env: options.env } : {});
  if (availability.ok) return { backend: 'bpftrace', reason: availability.reason };
  return { backend: 'v8-inspector', reason: `${availability.reason}; using the V8 inspector profiler` };
}

/**
 * Node flags for a process traced with bpftrace: JS functions get perf-map entries, interpreted
 * frames get real native frames. With `attributeInlined`, TurboFan stops inlining, so every JS
 * function keeps its own frame (a perf map cannot name an inlined function: its code lives inside
 * the caller's), and builtins run from the node binary where they have symbols instead of from a
 * remapped copy (short builtin calls). Both cost some speed; see the bench for figures.
 */
export function traceNodeFlags(options: { attributeInlined?: boolean } = {}): string[] {
  const flags = ['--perf-basic-prof-only-functions', '--interpreted-frames-native-stack'];
  if (options.attributeInlined) flags.push('--no-turbo-inlining', '--no-short-builtin-calls');
  return flags;
}

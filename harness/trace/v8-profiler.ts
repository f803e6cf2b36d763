/**
 * V8 CPU profiler fallback (I/O). Runs INSIDE the thread to profile (the target's worker): a
 * `node:inspector` Session connected from a worker thread talks to that worker's own isolate.
 */
import { readlinkSync } from 'node:fs';
import type { StackSample } from './folded.ts';
import { v8ProfileToSamples, type V8ConvertOptions, type V8CpuProfile } from './v8-profile.ts';

export interface V8ProfilerOptions {
  /** Sampling interval in microseconds (1000 µs ~ bpftrace at 1 kHz; V8 achieves ~900 samples/s here). */
  intervalUs?: number;
}

export interface V8ProfilerSession {
  readonly intervalUs: number;
  /** process.hrtime.bigint() right after Profiler.start returned. */
  readonly startedAtNs: bigint;
  /** OS thread id of the profiled thread (Linux), for tid filters shared with bpftrace. */
  readonly tid: number | undefined;
  /** Stops profiling and returns the raw profile (JSON-serialisable; postMessage-able). */
  stop(): Promise<V8CpuProfile>;
  /** stop() and convert to samples. */
  stopSamples(options?: V8ConvertOptions): Promise<StackSample[]>;
}

/** OS thread id of the calling thread (Linux: /proc/thread-self -> "<pid>/task/<tid>"), else undefined. */
export function currentOsThreadId(): number | undefined {
  try {
    const match = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return match?.[1] !== undefined ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface InspectorSessionLike {
  connect(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (error: Error | null, result?: unknown) => void): void;
}

function post(session: InspectorSessionLike, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

export async function startV8Profiler(options: V8ProfilerOptions = {}): Promise<V8ProfilerSession> {
  const intervalUs = options.intervalUs ?? 1000;
  if (!Number.isInteger(intervalUs) || intervalUs < 10) throw new RangeError(`intervalUs must be an integer >= 10, got ${String(intervalUs)}`);
  // Imported lazily: node builds without the inspector throw here, and callers can fall back.
  const inspector = await import('node:inspector');
  const session: InspectorSessionLike = new inspector.Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: intervalUs });
    await post(session, 'Profiler.start');
  } catch (error) {
    session.disconnect();
    throw error;
  }
  const startedAtNs = process.hrtime.bigint();
  const tid = currentOsThreadId();
  let stopped: Promise<V8CpuProfile> | undefined;
  const stop = async (): Promise<V8CpuProfile> => {
    try {
      const result = (await post(session, 'Profiler.stop')) as { profile: V8CpuProfile };
      await post(session, 'Profiler.disable');
      return result.profile;
    } finally {
      session.disconnect();
    }
  };
  return {
    intervalUs,
    startedAtNs,
    tid,
    stop: () => (stopped ??= stop()),
    stopSamples: async (convert = {}) => v8ProfileToSamples(await (stopped ??= stop()), { ...(tid !== undefined ? { tid } : {}), ...convert }),
  };
}

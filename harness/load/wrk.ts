/**
 * wrk (Debian package) as the reference for closed-loop throughput: the bench divides our
 * autocannon driver's req/s by wrk's on the same server in the same run. Only its summary is
 * used; wrk cannot hold a rate (its Lua delay() truncates to whole ms), so it is never an
 * open-loop driver here.
 */
import { spawn } from 'node:child_process';
import { trackChild } from '../core/process-registry.ts';

export interface WrkSummary {
  requests: number;
  seconds: number;
  requestsPerSec: number;
  /** Socket errors (connect/read/write/timeout) and non-2xx/3xx responses wrk reported. */
  socketErrors: number;
  non2xx3xx: number;
}

/** Parse wrk's text summary. Returns null when the output holds no `Requests/sec:` line. */
export function parseWrkOutput(text: string): WrkSummary | null {
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (!rate) return null;
  const total = /^\s*(\d+) requests in ([\d.]+)(ms|s|m)/m.exec(text);
  const unitSeconds = { ms: 0.001, s: 1, m: 60 } as const;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: total ? Number(total[1]) : Number.NaN,
    seconds: total ? Number(total[2]) * unitSeconds[total[3] as keyof typeof unitSeconds] : Number.NaN,
    requestsPerSec: Number(rate[1]),
    socketErrors: socket ? socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xx3xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  durationSeconds: number;
  /** Path of the binary. Default 'wrk' (from PATH). */
  binary?: string;
  /** Kills wrk (SIGKILL) when aborted, so it never outlives the bench. */
  signal?: AbortSignal;
}

export type WrkOutcome = { kind: 'ok'; summary: WrkSummary; output: string } | { kind: 'missing' } | { kind: 'failed'; message: string };

/** Run wrk with an argument vector; the child is killed if it outlives its duration by 30 s. */
export function runWrk(options: WrkOptions): Promise<WrkOutcome> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, options.url];
  return new Promise((resolve) => {
    const child = spawn(options.binary ?? 'wrk', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      killSignal: 'SIGKILL',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const untrack = trackChild(child, 'wrk');
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), (options.durationSeconds + 30) * 1000);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(guard);
      untrack(); // a child that never started emits no 'exit'
      resolve(error.code === 'ENOENT' ? { kind: 'missing' } : { kind: 'failed', message: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(guard);
      const summary = parseWrkOutput(output);
      if (code === 0 && summary) resolve({ kind: 'ok', summary, output });
      else resolve({ kind: 'failed', message: `wrk exited with ${code}: ${output.trim().slice(0, 500)}` });
    });
  });
}

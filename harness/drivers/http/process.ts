/**
 * A service or dependency process: spawned from an argv (never a shell) in its own process
 * group, tracked in THE process registry (harness/core/process-registry.ts) so no exit path
 * of the harness leaves it, or anything it started (workers, a `sh -c` wrapper's child),
 * behind; with the tail of its output kept for findings and an `exited` promise that tells
 * a crash from a stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { signalTree, trackChild, waitUntilGone } from '../../core/process-registry.ts';

/** Output kept per process: enough for a stack trace, bounded for a chatty service. */
const TAIL_BYTES = 8192;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the harness asked it to stop (not a finding). */
  stopped: boolean;
}

export interface ManagedProcess {
  readonly label: string;
  readonly pid: number;
  readonly argv: readonly string[];
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<ProcessExit>;
  /** Whether it is still running. */
  running(): boolean;
  /** Last stdout+stderr bytes, as text. */
  outputTail(): string;
  /** SIGTERM to its group, then SIGKILL after `graceMs`; resolves once the group is gone (its ports are free). */
  stop(graceMs?: number): Promise<ProcessExit>;
}

export interface StartProcessOptions {
  label: string;
  argv: readonly string[];
  cwd: string;
  env?: Record<string, string>;
}

function appendTail(tail: Buffer, chunk: Buffer): Buffer {
  const joined = Buffer.concat([tail, chunk]);
  return joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
}

/** Spawns the argv as is; a spawn failure (ENOENT...) surfaces as an immediate exit with the reason in the tail. */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  const [file, ...args] = options.argv;
  if (file === undefined) throw new Error(`${options.label}: empty command`);
  const child: ChildProcess = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    shell: false,
    detached: true,
  });
  trackChild(child, options.label);
  const tree = { pid: child.pid ?? -1, group: true };
  let tail: Buffer = Buffer.alloc(0);
  let stopping = false;
  const onOutput = (chunk: Buffer): void => {
    tail = appendTail(tail, chunk);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      tail = appendTail(tail, Buffer.from(`\n[slo-harness] cannot start ${options.label}: ${error.message}\n`));
      resolve({ code: -1, signal: null, stopped: stopping });
    });
    child.once('exit', (code, signal) => resolve({ code, signal, stopped: stopping }));
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return {
    label: options.label,
    pid: child.pid ?? -1,
    argv: options.argv,
    exited,
    running,
    outputTail: () => tail.toString('utf8'),
    async stop(graceMs = 2000) {
      stopping = true;
      if (child.pid === undefined) return exited;
      signalTree(tree, 'SIGTERM');
      if (!(await waitUntilGone(tree, graceMs))) {
        signalTree(tree, 'SIGKILL');
        await waitUntilGone(tree, graceMs);
      }
      return exited;
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound and released; the short race is accepted on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

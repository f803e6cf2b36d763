/**
 * stress-ng (Debian package) as a CPU stressor, for scenarios that ask for it.
 *
 * It runs in its own process group (`detached: true`, pgid = its pid) so that stop() and
 * the process registry can kill the parent *and* its worker processes with one signal,
 * and Ctrl-C in the terminal does not hit it half-way. Nets that keep it from outliving
 * the run: stop(); the registry (harness/core/process-registry.ts: the CLI's cleanup, the
 * 'exit' handler); the registry's parent-death guard, which kills the group within half a
 * second of a harness killed with SIGKILL; and, last, stress-ng's own `--timeout` (the run
 * budget plus a margin), should even the guard have been killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { terminateTree, trackChild } from '../../core/process-registry.ts';
import type { StressHandle } from './types.ts';

export interface StressNgOptions {
  /** Number of CPU workers (`--cpu N`); 0 means one per online CPU. */
  cpu: number;
  /** Load per worker in percent (`--cpu-load P`), 0..100. */
  load: number;
  /** Hard deadline for stress-ng itself. Default: budgetMs + marginSec, or 600 s. */
  timeoutSec?: number;
  /** The run's budget: the deadline becomes this plus `marginSec`. */
  budgetMs?: number;
  /** Added to budgetMs for the deadline. Default 30 s. */
  marginSec?: number;
  /** Executable. Default 'stress-ng' (on PATH). */
  binary?: string;
}

export interface StressNgHandle extends StressHandle {
  kind: 'stress-ng';
  /** stress-ng's pid, which is also its process group id. */
  readonly pid: number;
  readonly args: readonly string[];
  /** True once the stress-ng parent has exited (stopped, or its timeout ran out). */
  exited(): boolean;
}

export const DEFAULT_STRESS_NG_TIMEOUT_SEC = 600;
export const DEFAULT_TIMEOUT_MARGIN_SEC = 30;
const STOP_GRACE_MS = 2000;
const STDERR_KEEP_CHARS = 4000;

/** The deadline stress-ng gets: explicit, else budget + margin, else the default. */
export function stressNgTimeoutSec(options: Pick<StressNgOptions, 'timeoutSec' | 'budgetMs' | 'marginSec'>): number {
  if (options.timeoutSec !== undefined) return Math.ceil(options.timeoutSec);
  if (options.budgetMs !== undefined) {
    return Math.ceil(options.budgetMs / 1000) + (options.marginSec ?? DEFAULT_TIMEOUT_MARGIN_SEC);
  }
  return DEFAULT_STRESS_NG_TIMEOUT_SEC;
}

/** The argument vector (never a shell string). Validates the options. */
export function stressNgArgs(options: StressNgOptions): string[] {
  if (!Number.isInteger(options.cpu) || options.cpu < 0) {
    throw new RangeError(`stress-ng cpu must be an integer >= 0, got ${options.cpu}`);
  }
  if (!(options.load >= 0 && options.load <= 100)) {
    throw new RangeError(`stress-ng load must be a percentage in [0, 100], got ${options.load}`);
  }
  const timeout = stressNgTimeoutSec(options);
  if (!Number.isFinite(timeout) || timeout < 1) throw new RangeError(`stress-ng timeout must be >= 1 s, got ${timeout}`);
  return ['--cpu', String(options.cpu), '--cpu-load', String(Math.round(options.load)), '--timeout', `${timeout}s`];
}

/** True when `stress-ng --version` runs and exits 0. */
export function stressNgAvailable(binary = 'stress-ng'): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

function waitForSpawn(child: ChildProcess, binary: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) =>
      reject(new Error(`could not start ${binary} (is the stress-ng package installed?): ${error.message}`)),
    );
  });
}

export async function startStressNg(options: StressNgOptions): Promise<StressNgHandle> {
  const binary = options.binary ?? 'stress-ng';
  const args = stressNgArgs(options);
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });
  const pid = await waitForSpawn(child, binary);
  // Forgotten by the registry once nothing of its group runs (stopped, or its --timeout ran out).
  trackChild(child, `${binary} ${args.join(' ')}`);

  let exitedFlag = false;
  let exitCode: number | null = null;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exitedFlag = true;
      exitCode = code;
      resolve();
    });
  });
  // A forgotten stressor must not keep the harness alive; the registry kills it at exit.
  child.unref();
  (child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();

  let stopping: Promise<void> | null = null;
  return {
    kind: 'stress-ng',
    pid,
    args,
    exited: () => exitedFlag,
    describe: () => {
      const status = exitedFlag ? `, exited with code ${exitCode}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}` : '';
      return `${binary} ${args.join(' ')} (pgid ${pid}${status})`;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        // Hold the event loop until the exit is seen, so code after `await stop()` runs.
        child.ref();
        await terminateTree({ pid, group: true }, STOP_GRACE_MS);
        await exitedPromise;
      })();
      return stopping;
    },
  };
}

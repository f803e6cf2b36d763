/**
 * Parent side of an isolate: starts the isolate host as a child process, streams its
 * events, and makes sure it dies: on stop, on a silent host (no heartbeat), and when the
 * harness itself exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FindingMessage, HostCommand, HostEvent, IsolateConfig } from './protocol.ts';
import { trackChild } from '../../core/process-registry.ts';
import { recoverCrash } from './crash-recovery.ts';
import { tsxLoader } from './tsx-loader.ts';
import { createRecoveryFiles, removeRecoveryFiles } from './recovery-files.ts';

const HOST_FILE = fileURLToPath(new URL('./isolate-host.ts', import.meta.url));
/** A host that has not said anything for this long is considered wedged and killed. */
const SILENCE_LIMIT_MS = 15_000;
const OUTPUT_TAIL_BYTES = 8192;

/**
 * Scenario files whose module did not finish loading in a worker, with the message: the
 * exploration phase (explore.ts) only keeps a note, so the runner asks here after it.
 */
const loadTimeouts = new Map<string, string>();

export function loadTimeoutOf(file: string): string | null {
  return loadTimeouts.get(file) ?? null;
}

export interface IsolateExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last bytes the target printed (stdout and stderr interleaved), for crash context. */
  outputTail: string;
  /** Set when the parent had to kill a silent host. */
  killedForSilence: boolean;
  /**
   * The host died without reporting (a target killed its process, a native crash): the
   * 'crash' finding recovered from its input files, already passed to onEvent.
   */
  crash: { finding: FindingMessage; inputKnown: boolean } | null;
  /** The host reported a fatal error; `loadTimeout` when the scenario module never finished loading. */
  fatal: { message: string; loadTimeout: boolean } | null;
}

export interface IsolateHandle {
  readonly pid: number;
  /** Ask the loop to finish its current call, report and exit. */
  stop(): void;
  /** Kill the host at once (SIGKILL). */
  kill(): void;
  readonly exited: Promise<IsolateExit>;
}

export interface StartIsolateOptions {
  onEvent: (event: HostEvent) => void;
  /** Extra node flags for the host process (e.g. perf-map flags for tracers). */
  nodeFlags?: string[];
}

export function startIsolate(givenConfig: IsolateConfig, opts: StartIsolateOptions): IsolateHandle {
  const recovery = createRecoveryFiles();
  const config: IsolateConfig = { ...givenConfig, recovery: { inFlightFile: recovery.inFlightFile, ringFile: recovery.ringFile } };
  const child: ChildProcess = fork(HOST_FILE, [], {
    execArgv: ['--import', tsxLoader(), ...(opts.nodeFlags ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
    detached: true, // own process group: the registry kills the target's own children with it
  });
  const untrack = trackChild(child);
  let tail = '';
  const keepTail = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let lastHeard = Date.now();
  let killedForSilence = false;
  const silenceCheck = setInterval(() => {
    if (Date.now() - lastHeard > SILENCE_LIMIT_MS) {
      killedForSilence = true;
      child.kill('SIGKILL');
    }
  }, 1000);
  silenceCheck.unref();

  // 'done' or 'fatal' explain an exit; so does a kill by this side. Anything else is a crash.
  let explained = false;
  let killedHere = false;
  let fatal: IsolateExit['fatal'] = null;
  child.on('message', (event: HostEvent) => {
    lastHeard = Date.now();
    if (event.type === 'done') explained = true;
    if (event.type === 'fatal') {
      explained = true;
      fatal = { message: event.message, loadTimeout: event.cause === 'load-timeout' };
      if (fatal.loadTimeout) loadTimeouts.set(config.scenario.file, event.message);
    }
    opts.onEvent(event);
  });

  const exited = new Promise<IsolateExit>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(silenceCheck);
      untrack();
      const unexplained = !explained && !killedHere && !killedForSilence;
      void (async () => {
        const crash = unexplained ? await recoverCrash(config, recovery, code, signal).catch(() => null) : null;
        if (crash) opts.onEvent(crash.finding);
        removeRecoveryFiles(recovery.dir);
        resolve({ code, signal, outputTail: tail, killedForSilence, crash, fatal });
      })();
    });
  });

  const command = (cmd: HostCommand): void => {
    if (child.connected) child.send(cmd);
  };
  command({ type: 'start', config });

  return {
    pid: child.pid ?? -1,
    stop: () => command({ type: 'stop' }),
    kill: () => {
      killedHere = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    exited,
  };
}

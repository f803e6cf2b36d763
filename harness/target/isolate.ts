/**
 * Parent side of an isolate: starts the isolate host as a child process, streams its
 * events, and makes sure it dies: on stop, on a silent host (no heartbeat), and when the
 * harness itself exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HostCommand, HostEvent, IsolateConfig } from './protocol.ts';
import { trackChild } from './children.ts';

const HOST_FILE = fileURLToPath(new URL('./isolate-host.ts', import.meta.url));
/** A host that has not said anything for this long is considered wedged and killed. */
const SILENCE_LIMIT_MS = 15_000;
const OUTPUT_TAIL_BYTES = 8192;

export interface IsolateExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last bytes the target printed (stdout and stderr interleaved), for crash context. */
  outputTail: string;
  /** Set when the parent had to kill a silent host. */
  killedForSilence: boolean;
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

function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

export function startIsolate(config: IsolateConfig, opts: StartIsolateOptions): IsolateHandle {
  const child: ChildProcess = fork(HOST_FILE, [], {
    execArgv: ['--import', tsxLoader(), ...(opts.nodeFlags ?? [])],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
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

  child.on('message', (event: HostEvent) => {
    lastHeard = Date.now();
    opts.onEvent(event);
  });

  const exited = new Promise<IsolateExit>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(silenceCheck);
      untrack();
      resolve({ code, signal, outputTail: tail, killedForSilence });
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
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    exited,
  };
}

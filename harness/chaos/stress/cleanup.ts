/**
 * A registry of child processes that must die with the harness: stressors, bpftrace,
 * service targets and their dependencies. Register a child right after spawning it; the
 * registry kills every registered child on process 'exit' (normal end, `process.exit()`,
 * uncaught exception) and on SIGINT, SIGTERM and SIGHUP.
 *
 * Children spawned with `detached: true` lead their own process group (pgid = pid), so
 * Ctrl-C in a terminal (which signals the *foreground* group) does not reach them and
 * a grandchild that outlives its parent is still found: register them with `group: true`
 * and the whole group is signalled. Nothing can run when the harness gets SIGKILL, so
 * long-running children also need their own deadline (stress-ng's `--timeout`).
 *
 * Signal handlers are installed only while something is registered. On a signal the
 * registry kills the children; if no one else listens for that signal (no CLI handler
 * doing a graceful shutdown), it then re-raises the signal so the process dies by it,
 * exactly as it would have without the registry.
 */
import { processGroupMembers, processIsRunning } from './proc.ts';

export interface RegisteredChild {
  pid: number;
  /** Signal the whole process group (-pid) rather than the pid alone. */
  group: boolean;
  label: string;
}

export interface RegisterOptions {
  group?: boolean;
  label?: string;
}

/** How long a child gets between SIGTERM and SIGKILL by default. */
export const DEFAULT_GRACE_MS = 1000;
const EXIT_PATH_GRACE_MS = 500;
const POLL_MS = 20;
const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type HandledSignal = (typeof HANDLED_SIGNALS)[number];

const registry = new Map<number, RegisteredChild>();
let handlersInstalled = false;

/** Registers a child; returns a function that unregisters it. */
export function registerChild(pid: number, options: RegisterOptions = {}): () => void {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`registerChild: invalid pid ${pid}`);
  registry.set(pid, { pid, group: options.group ?? false, label: options.label ?? `pid ${pid}` });
  installHandlers();
  return () => unregisterChild(pid);
}

export function unregisterChild(pid: number): void {
  registry.delete(pid);
  if (registry.size === 0) uninstallHandlers();
}

export function registeredChildren(): RegisteredChild[] {
  return [...registry.values()];
}

/** True while any process of the child (its group, if it is a group) is running. */
export function childIsRunning(child: Pick<RegisteredChild, 'pid' | 'group'>): boolean {
  return child.group ? processGroupMembers(child.pid).length > 0 : processIsRunning(child.pid);
}

function sendSignal(child: Pick<RegisteredChild, 'pid' | 'group'>, signal: NodeJS.Signals): void {
  try {
    process.kill(child.group ? -child.pid : child.pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Synchronously kills every registered child: SIGTERM, up to `graceMs` for them to go,
 * then SIGKILL for what is left. Synchronous because the 'exit' handler cannot await.
 */
export function killAllRegistered(graceMs = EXIT_PATH_GRACE_MS): void {
  const children = registeredChildren();
  for (const child of children) sendSignal(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let alive = children.filter(childIsRunning);
  while (alive.length > 0 && Date.now() < deadline) {
    sleepSync(POLL_MS);
    alive = alive.filter(childIsRunning);
  }
  for (const child of alive) sendSignal(child, 'SIGKILL');
  for (const child of children) registry.delete(child.pid);
  uninstallHandlers();
}

/**
 * Asynchronously stops one child (or its group): SIGTERM, wait up to `graceMs`, SIGKILL,
 * then wait until nothing of it runs. Resolves true if it went on SIGTERM alone.
 */
export async function terminateChild(
  child: Pick<RegisteredChild, 'pid' | 'group'>,
  graceMs = DEFAULT_GRACE_MS,
): Promise<boolean> {
  sendSignal(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (childIsRunning(child)) {
    if (Date.now() >= deadline) {
      sendSignal(child, 'SIGKILL');
      await waitUntilGone(child, graceMs);
      return false;
    }
    await sleep(POLL_MS);
  }
  return true;
}

async function waitUntilGone(child: Pick<RegisteredChild, 'pid' | 'group'>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (childIsRunning(child) && Date.now() < deadline) await sleep(POLL_MS);
}

function onExit(): void {
  killAllRegistered();
}

function onSignal(signal: HandledSignal): void {
  killAllRegistered();
  // killAllRegistered uninstalled our listeners. If no one else handles this signal,
  // die by it as Node's default would have; otherwise leave shutdown to that handler.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const signalListeners = new Map<HandledSignal, () => void>(
  HANDLED_SIGNALS.map((signal) => [signal, () => onSignal(signal)]),
);

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  for (const [signal, listener] of signalListeners) process.on(signal, listener);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  for (const [signal, listener] of signalListeners) process.off(signal, listener);
}

/**
 * The harness side of the parent-death guard (parent-guard.mjs): starts the watchdog once
 * per harness process, on first use, and tells it which process groups to kill if the
 * harness dies without running its own cleanup.
 *
 * Why a watchdog process and not PR_SET_PDEATHSIG: Linux's parent-death signal is set with
 * prctl() in the child between fork and exec, which Node cannot do without a native addon
 * or a helper binary; neither is in the dependencies, and compiling one at install is not
 * acceptable (`setpriv --pdeathsig` exists but not everywhere, and it would have to wrap
 * every command). A watchdog needs only node: the harness holds the only write end of its
 * stdin pipe, the kernel closes it however the harness dies, and end of file is the signal.
 *
 * Besides the process groups it is told about, the watchdog ends every process whose
 * environment has SLO_HARNESS_OWNER set to this harness process's id (set here, on import,
 * before anything is spawned): that also covers children that code running inside the
 * harness process starts on its own (a scenario module that spawns at load time) and
 * children that left their group. The id is per harness process, so a nested harness never
 * ends its parent's processes. It is armed on import for that reason: a child can be started
 * before anything is registered.
 *
 * The pipe and the watchdog are unref'd: they never keep the harness's event loop alive.
 * A watchdog that dies (killed by hand) is started again on the next message, with every
 * target still known replayed to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const GUARD_FILE = fileURLToPath(new URL('./parent-guard.mjs', import.meta.url));
export const OWNER_ENV = 'SLO_HARNESS_OWNER';
/** This harness process's id: every child it starts from here on inherits it. */
const OWNER = `${process.pid}-${randomBytes(6).toString('hex')}`;
process.env[OWNER_ENV] = OWNER;

let guard: ChildProcess | null = null;
/** Targets the watchdog must know about (kill() arguments: negative for a group). */
const known = new Set<number>();

function send(line: string): void {
  const stdin = guard?.stdin;
  if (!stdin || stdin.destroyed) return;
  stdin.write(`${line}\n`);
}

function startGuard(): ChildProcess {
  const child = spawn(process.execPath, [GUARD_FILE, OWNER], {
    detached: true,
    // The guard outlives the harness by a moment (it is told by end of file); it must not hold
    // the user's working directory (an unmount, a test's leftover scan) meanwhile.
    cwd: '/',
    stdio: ['pipe', 'ignore', 'ignore'],
    // No loader hooks (tsx, a test runner's): the guard is plain JavaScript and must start fast.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void; on: (e: string, l: () => void) => void }) | null;
  stdin?.unref?.();
  // EPIPE when the guard was killed: the next message starts a new one.
  stdin?.on('error', () => undefined);
  child.once('error', () => {
    if (guard === child) guard = null;
  });
  child.once('exit', () => {
    if (guard === child) guard = null;
  });
  return child;
}

function ensureGuard(): void {
  if (guard !== null && guard.exitCode === null && guard.signalCode === null) return;
  guard = startGuard();
  for (const target of known) send(`+${target}`);
}

/** Starts the watchdog now (it is otherwise started by the first guardTarget). */
export function armParentGuard(): void {
  ensureGuard();
}

/** The watchdog kills `target` (a pid, or -pgid for a process group) if the harness dies. */
export function guardTarget(target: number): void {
  if (!Number.isSafeInteger(target) || target === 0 || target === -1) throw new RangeError(`guardTarget: invalid target ${target}`);
  known.add(target);
  ensureGuard();
  send(`+${target}`);
}

/** The target ended: the watchdog forgets it (its pid may be reused later). */
export function releaseTarget(target: number): void {
  if (!known.delete(target)) return;
  send(`-${target}`);
}

/** The watchdog's pid, for tests and diagnostics; null before first use. */
export function guardPid(): number | null {
  return guard?.pid ?? null;
}

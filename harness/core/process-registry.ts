/**
 * THE registry of every process the harness starts (isolate and probe hosts, service and
 * dependency processes, stress-ng, bpftrace, Jazzer, wrk, demanglers...), so that no exit
 * path of the harness leaves one behind:
 *
 * - Each long-lived child is spawned `detached: true`: it leads its own process group, and
 *   whatever it starts (a target's `spawn('sleep')`, stress-ng's workers) is in that group
 *   unless it detaches itself. The registry always signals the whole group (kill(-pgid)).
 * - When a tracked child exits, what is left of its group is stopped (SIGTERM, then SIGKILL).
 * - terminateAllChildren() (the CLI's `finally`, a second Ctrl-C) stops every group, and
 *   the 'exit' handler (normal end, process.exit(), uncaught exception) SIGKILLs them.
 * - Deaths that run no code of ours (SIGKILL, a signal nobody handles) are covered by the
 *   parent-death guard (parent-guard.ts), a watchdog process told about every group.
 *
 * Every process the run starts carries SLO_HARNESS_RUN_TAG in its environment (set here,
 * once, on first import; an already set tag is kept, so a test or a wrapper can choose it)
 * and passes it on to its own children: leftovers can be found by scanning /proc/<pid>/environ.
 * The tag names the run (nested harness processes share it); the guard works with a second,
 * per-process id (SLO_HARNESS_OWNER, parent-guard.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { armParentGuard, guardTarget, releaseTarget } from './parent-guard.ts';
import { processGroupMembers, processIsRunning } from './proc-table.ts';

export const RUN_TAG_ENV = 'SLO_HARNESS_RUN_TAG';

/** Set before anything is spawned: every child built from process.env inherits it. */
function initRunTag(): string {
  const inherited = process.env[RUN_TAG_ENV];
  const tag = inherited !== undefined && inherited !== '' ? inherited : `slo-${process.pid}-${randomBytes(6).toString('hex')}`;
  process.env[RUN_TAG_ENV] = tag;
  return tag;
}
const TAG = initRunTag();
// Armed before anything is spawned: code running in this process (a scenario module being
// loaded) can start children the registry never hears of; the guard ends those too.
armParentGuard();

/** This harness process's run tag (also in process.env[RUN_TAG_ENV]). */
export function runTag(): string {
  return TAG;
}

/** After a group's leader exits, what is left of it gets this long between SIGTERM and SIGKILL. */
const STRAGGLER_GRACE_MS = 300;
/** Give up waiting for a SIGKILLed group after this long (it is stuck in the kernel). */
const GONE_LIMIT_MS = 5000;
const POLL_MS = 20;

/** A process tree: one pid, or a whole process group when `group`. */
export interface Tree {
  /** Leader pid; the process group id when `group`. */
  readonly pid: number;
  readonly group: boolean;
}

interface Entry extends Tree {
  readonly label: string;
  /** The leader's ChildProcess while it runs; null once it has exited or when only a pid was given. */
  child: ChildProcess | null;
}


const entries = new Map<number, Entry>();
let exitHooked = false;

const targetOf = (entry: Tree): number => (entry.group ? -entry.pid : entry.pid);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `signal` to the group (or the pid); false when nothing was there to receive it. */
export function signalTree(entry: Tree, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(targetOf(entry), signal);
    return true;
  } catch {
    return false; // ESRCH: already gone
  }
}

/** True while any non-zombie process of the group (or the pid itself) runs. */
export function treeIsRunning(entry: Tree): boolean {
  if (!entry.group) return processIsRunning(entry.pid);
  // kill(-pgid, 0) is cheap; when it says "there", read /proc to leave out zombies.
  if (!signalTree(entry, 0)) return false;
  return processGroupMembers(entry.pid).length > 0;
}

/** A detached child leads a group whose id is its pid (checked, not assumed: a caller may not have detached it). */
function leadsGroup(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is the one signal that needs no waiting.
  process.on('exit', () => killAllChildrenNow('SIGKILL'));
}

function add(entry: Entry): void {
  hookExit();
  entries.set(entry.pid, entry);
  guardTarget(targetOf(entry));
}

function forget(entry: Entry): void {
  if (entries.get(entry.pid) !== entry) return;
  entries.delete(entry.pid);
  releaseTarget(targetOf(entry));
}

/** Waits until nothing of the tree runs; false when `limitMs` ran out first. */
export async function waitUntilGone(entry: Tree, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (treeIsRunning(entry)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * SIGTERM the tree, up to `graceMs` for it to go, then SIGKILL and wait (bounded) until it
 * is gone. Resolves true if SIGTERM was enough.
 */
export async function terminateTree(entry: Tree, graceMs: number): Promise<boolean> {
  signalTree(entry, 'SIGTERM');
  if (await waitUntilGone(entry, graceMs)) return true;
  signalTree(entry, 'SIGKILL');
  await waitUntilGone(entry, GONE_LIMIT_MS);
  return false;
}

/** The leader exited: stop what it left in its group, then forget the group. */
function leaderExited(entry: Entry): void {
  if (entry.child === null) return; // seen already (the caller's release and 'exit' both report it)
  entry.child = null;
  if (!entry.group || !treeIsRunning(entry)) {
    forget(entry);
    return;
  }
  // The stragglers are the dead leader's orphans (a target's `sleep`, a worker): nobody
  // waits for them, so this runs in the background; the 'exit' handler and the guard
  // still cover them if the harness ends first.
  const grace = setTimeout(() => {
    void terminateTree(entry, 0).finally(() => forget(entry));
  }, STRAGGLER_GRACE_MS);
  grace.unref();
  signalTree(entry, 'SIGTERM');
}

/**
 * Tracks a child until its whole process group is gone. Spawn it with `detached: true`
 * (its own group); a child that is not a group leader is tracked by its pid alone. A child
 * that never started (no pid) is not tracked. The registry sees the leader's exit by itself;
 * the returned function lets a caller whose own 'exit' listener ran first report it, so the
 * leftovers of its group are stopped at once, whatever the listeners' order.
 */
export function trackChild(child: ChildProcess, label?: string): () => void {
  const pid = child.pid;
  if (pid === undefined) return () => undefined; // spawn failed: nothing runs
  const entry: Entry = { pid, group: leadsGroup(pid), label: label ?? child.spawnargs.join(' '), child };
  add(entry);
  if (child.exitCode !== null || child.signalCode !== null) leaderExited(entry);
  else child.once('exit', () => leaderExited(entry));
  return () => {
    if (child.exitCode !== null || child.signalCode !== null) leaderExited(entry);
  };
}

/**
 * Tracks a process (or, with `group`, its process group) known only by its pid, until
 * the returned function is called.
 */
export function trackPid(pid: number, options: { group?: boolean; label?: string } = {}): () => void {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new RangeError(`trackPid: invalid pid ${pid}`);
  const entry: Entry = { pid, group: options.group ?? false, label: options.label ?? `pid ${pid}`, child: null };
  add(entry);
  return () => forget(entry);
}

/** Synchronously signals every tracked tree (the 'exit' path cannot wait). */
export function killAllChildrenNow(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const entry of entries.values()) {
    signalTree(entry, signal);
  }
}

/** Asks every tracked tree to stop (SIGTERM), then kills those still alive after `graceMs`. */
export async function terminateAllChildren(graceMs = 2000): Promise<void> {
  const all = [...entries.values()];
  if (all.length === 0) return;
  killAllChildrenNow('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (all.some(treeIsRunning) && Date.now() < deadline) await sleep(POLL_MS);
  killAllChildrenNow('SIGKILL');
  const gone = Date.now() + Math.min(GONE_LIMIT_MS, graceMs + 500);
  while (all.some(treeIsRunning) && Date.now() < gone) await sleep(POLL_MS);
  for (const entry of all) if (!treeIsRunning(entry)) forget(entry);
}

/** Children whose leader process still runs. */
export function trackedChildCount(): number {
  let count = 0;
  for (const entry of entries.values()) if (entry.child !== null) count++;
  return count;
}

/** What is tracked, for diagnostics and tests. */
export function trackedTrees(): Array<{ pid: number; group: boolean; label: string; leaderRunning: boolean }> {
  return [...entries.values()].map((e) => ({ pid: e.pid, group: e.group, label: e.label, leaderRunning: e.child !== null }));
}

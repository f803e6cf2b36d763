/**
 * An advisory lock per scenario corpus (`corpora/<scenario>/.lock`), so two runs of one
 * scenario at once (a developer and the nightly job, or two CI shards) do not interleave
 * their read-modify-write of a violation record: one run demoting what the other just
 * reported lost findings. The lock is held only for the few file operations of one write.
 *
 * The lock file is created with O_EXCL and holds its owner's pid, hostname and start time.
 * A lock whose pid is dead on this host is stale and taken over; a lock held by a live
 * process (or by another host, whose pids cannot be checked) is waited for, for a bounded
 * time, then the writer fails with an error naming the lock file and its owner.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteError } from '../core/atomic-file.ts';

export const LOCK_FILE = '.lock';
/** How long a writer waits for a live lock before failing. */
export const DEFAULT_LOCK_WAIT_MS = 10_000;
/**
 * A lock file that is still empty or unreadable after this long was left by a process that
 * died between creating it and writing its owner (a live one writes it within microseconds).
 */
const UNWRITTEN_LOCK_STALE_MS = 2_000;
/** A takeover is three file operations; a takeover marker older than this was abandoned. */
const TAKEOVER_STALE_MS = 5_000;

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
}

export interface CorpusLockOptions {
  /** Longest wait for a lock held by a live process (default 10 s). */
  waitMs?: number;
  /** Pause between attempts (default 25 ms, with jitter). */
  pollMs?: number;
  /** Whether `pid` runs on this host; injected by tests. */
  isAlive?: (pid: number) => boolean;
}

/** The lock could not be taken in time: names the lock file, its owner and the fix. */
export class CorpusLockTimeout extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner | null,
  ) {
    const who = owner ? `pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}` : 'an owner that has not written its name';
    super(
      `corpus lock ${lockFile} is held by another slo-harness run (${who}); gave up waiting\n` +
        `  fix: let that run finish and retry; if no such process exists any more, delete ${lockFile}`,
    );
    this.name = 'CorpusLockTimeout';
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockFileOf(corpusDir: string): string {
  return path.join(corpusDir, LOCK_FILE);
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid === 'number' && typeof v.hostname === 'string' && typeof v.startedAt === 'string' && typeof v.token === 'string') {
      return { pid: v.pid, hostname: v.hostname, startedAt: v.startedAt, token: v.token };
    }
  } catch {
    // Unreadable: judged by its age below.
  }
  return null;
}

async function readLock(file: string): Promise<{ text: string; mtimeMs: number } | null> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A lock is stale when its owner is known dead: same host and no such pid, or never written. */
function isStale(lock: { text: string; mtimeMs: number }, isAlive: (pid: number) => boolean): boolean {
  const owner = parseOwner(lock.text);
  if (!owner) return Date.now() - lock.mtimeMs > UNWRITTEN_LOCK_STALE_MS;
  return owner.hostname === os.hostname() && !isAlive(owner.pid);
}

/** Creates the lock with O_EXCL; false when it exists already. */
async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new WriteError(file, error);
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
  } catch (error) {
    // A lock without its owner would block every writer for a while: it never existed.
    await handle.close();
    await rm(file, { force: true });
    throw new WriteError(file, error);
  }
  await handle.close();
  return true;
}

/**
 * Removes a stale lock, once. Two waiters may judge the same lock stale; only the one that
 * creates the takeover marker (O_EXCL) removes it, and only if it still holds the content
 * judged stale, so a fresh lock taken meanwhile by the other waiter is never removed.
 */
async function takeOver(file: string, staleText: string): Promise<boolean> {
  const marker = `${file}.takeover`;
  const placeholder: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: 'takeover' };
  if (!(await tryCreate(marker, placeholder))) {
    const abandoned = await readLock(marker);
    if (abandoned && Date.now() - abandoned.mtimeMs > TAKEOVER_STALE_MS) await rm(marker, { force: true });
    return false;
  }
  try {
    const current = await readLock(file);
    if (current && current.text === staleText) await rm(file, { force: true });
    return true;
  } finally {
    await rm(marker, { force: true });
  }
}

/** One queue per lock file in this process: writers of one process wait in turn, not by polling. */
const inProcess = new Map<string, Promise<unknown>>();

/** Takes the lock (waiting up to `waitMs` for a live owner); returns its release. */
export async function acquireCorpusLock(corpusDir: string, opts: CorpusLockOptions = {}): Promise<() => Promise<void>> {
  const file = lockFileOf(corpusDir);
  const isAlive = opts.isAlive ?? pidIsAlive;
  const pollMs = opts.pollMs ?? 25;
  const deadline = Date.now() + (opts.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  const owner: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  await mkdir(corpusDir, { recursive: true });
  for (;;) {
    if (await tryCreate(file, owner)) return () => release(file, owner.token);
    const held = await readLock(file);
    if (!held) continue; // released between the two calls
    if (isStale(held, isAlive) && (await takeOver(file, held.text))) continue;
    if (Date.now() >= deadline) throw new CorpusLockTimeout(file, parseOwner(held.text));
    await sleep(pollMs * (0.5 + Math.random()));
  }
}

/** Removes the lock only if it is still ours (a takeover may have judged us dead). */
async function release(file: string, token: string): Promise<void> {
  const current = await readLock(file);
  if (current && parseOwner(current.text)?.token === token) await rm(file, { force: true });
}

/** Runs `fn` holding the corpus lock; the lock is released however `fn` ends. */
export async function withCorpusLock<T>(corpusDir: string, fn: () => Promise<T>, opts: CorpusLockOptions = {}): Promise<T> {
  const key = path.resolve(lockFileOf(corpusDir));
  const before = inProcess.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(async () => {
    const unlock = await acquireCorpusLock(corpusDir, opts);
    try {
      return await fn();
    } finally {
      await unlock();
    }
  });
  const settled = run.catch(() => undefined);
  inProcess.set(key, settled);
  void settled.then(() => {
    if (inProcess.get(key) === settled) inProcess.delete(key);
  });
  return run;
}

import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireCorpusLock, CorpusLockTimeout, lockFileOf, pidIsAlive, withCorpusLock } from './corpus-lock.ts';

const CHILD = path.resolve(import.meta.dirname, '../../test/fixtures/hostile-data/lock-child.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'corpus-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that certainly ran on this host and has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? -1;
}

const lockOf = (pid: number, hostname = os.hostname()) => JSON.stringify({ pid, hostname, startedAt: '2026-01-01T00:00:00.000Z', token: 'someone-else' });

describe('corpus lock', () => {
  it('writes its owner into the lock file and removes it on release', async () => {
    const release = await acquireCorpusLock(dir);
    const owner = JSON.parse(await readFile(lockFileOf(dir), 'utf8')) as { pid: number; hostname: string };
    expect(owner).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a live owner makes a writer wait, then fail with the lock file, the owner and the fix', async () => {
    await writeFile(lockFileOf(dir), lockOf(process.pid));
    const error = await acquireCorpusLock(dir, { waitMs: 150, pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusLockTimeout);
    expect((error as Error).message).toContain(lockFileOf(dir));
    expect((error as Error).message).toContain(`pid ${process.pid}`);
    expect((error as Error).message).toMatch(/fix: .*delete/);
    // Not ours: left in place.
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(lockOf(process.pid));
  });

  it('takes over a lock whose pid is dead on this host', async () => {
    const pid = await deadPid();
    expect(pidIsAlive(pid)).toBe(false);
    await writeFile(lockFileOf(dir), lockOf(pid));
    const release = await acquireCorpusLock(dir, { waitMs: 1000 });
    expect(JSON.parse(await readFile(lockFileOf(dir), 'utf8'))).toMatchObject({ pid: process.pid });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('never takes over a lock of another host (its pids cannot be checked)', async () => {
    await writeFile(lockFileOf(dir), lockOf(await deadPid(), `not-${os.hostname()}`));
    await expect(acquireCorpusLock(dir, { waitMs: 100, pollMs: 10 })).rejects.toBeInstanceOf(CorpusLockTimeout);
  });

  it('takes over a lock left empty by a writer that died before writing its owner', async () => {
    await writeFile(lockFileOf(dir), '');
    await expect(acquireCorpusLock(dir, { waitMs: 100, pollMs: 10 })).rejects.toBeInstanceOf(CorpusLockTimeout);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFileOf(dir), old, old);
    const release = await acquireCorpusLock(dir, { waitMs: 1000 });
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits while the owner lives and proceeds once it is gone', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await new Promise((resolve) => holder.on('spawn', resolve));
    await writeFile(lockFileOf(dir), lockOf(holder.pid ?? -1));
    let killed = false;
    const acquired = acquireCorpusLock(dir, { waitMs: 10_000, pollMs: 10 }).then((release) => ({ release, killedFirst: killed }));
    await new Promise((r) => setTimeout(r, 200));
    killed = true;
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const { release, killedFirst } = await acquired;
    expect(killedFirst).toBe(true);
    await release();
  });

  it('serialises critical sections within a process', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withCorpusLock(dir, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 2));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('releases the lock when the critical section throws', async () => {
    await expect(withCorpusLock(dir, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withCorpusLock(dir, () => Promise.resolve(7))).resolves.toBe(7);
    expect(await readdir(dir)).toEqual([]);
  });

  it('excludes writers in other processes: no read-modify-write is lost', async () => {
    const rounds = 15;
    const children = Array.from({ length: 3 }, () => spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(rounds)], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const codes = await Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve))));
    expect(codes).toEqual([0, 0, 0]);
    expect(Number(await readFile(path.join(dir, 'counter'), 'utf8'))).toBe(3 * rounds);
    expect((await readdir(dir)).sort()).toEqual(['counter']);
  });
});

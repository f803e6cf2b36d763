import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { childIsRunning, killAllRegistered, registerChild, registeredChildren, terminateChild } from './cleanup.ts';
import { parseProcStat, processGroupMembers } from './proc.ts';

const started: number[] = [];

/** A detached shell that leads its own group and has two grandchildren (sleeps). */
function spawnGroup(script: string): number {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  started.push(child.pid as number);
  return child.pid as number;
}

async function waitFor(predicate: () => boolean, limitMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

afterEach(() => {
  for (const pgid of started.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('parseProcStat', () => {
  it('parses a command name that contains spaces and parentheses', () => {
    expect(parseProcStat('123 (a b) c)) S 1 123 123 0 -1 4194560')).toEqual({
      pid: 123, ppid: 1, pgid: 123, state: 'S', comm: 'a b) c)',
    });
    expect(parseProcStat('garbage')).toBeNull();
  });
});

describe('cleanup registry', () => {
  it('killAllRegistered kills a registered process group, grandchildren included', async () => {
    const pgid = spawnGroup('sleep 100 & sleep 100 & wait');
    expect(await waitFor(() => processGroupMembers(pgid).length >= 3)).toBe(true);
    registerChild(pgid, { group: true, label: 'sleepers' });
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    killAllRegistered();
    expect(await waitFor(() => processGroupMembers(pgid).length === 0)).toBe(true);
    expect(registeredChildren()).toEqual([]);
  });

  it('removes its signal and exit handlers once nothing is registered', () => {
    const before = { term: process.listenerCount('SIGTERM'), exit: process.listenerCount('exit') };
    const unregister = registerChild(999_999, { label: 'fake' });
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('exit')).toBe(before.exit + 1);
    unregister();
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('exit')).toBe(before.exit);
  });

  it('terminateChild escalates to SIGKILL for a group that ignores SIGTERM', async () => {
    const pgid = spawnGroup("trap '' TERM; sleep 100 & sleep 100 & wait");
    expect(await waitFor(() => processGroupMembers(pgid).length >= 3)).toBe(true);
    // The shell ignores TERM; its sleeps inherit the ignored disposition.
    const wentOnTerm = await terminateChild({ pid: pgid, group: true }, 300);
    expect(wentOnTerm).toBe(false);
    expect(childIsRunning({ pid: pgid, group: true })).toBe(false);
  });
});

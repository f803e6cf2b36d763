import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProcStat, processGroupMembers } from './proc-table.ts';
import { RUN_TAG_ENV, runTag, terminateAllChildren, terminateTree, trackChild, trackedTrees, trackPid } from './process-registry.ts';

const started: number[] = [];

/** A detached shell that leads its own group and has two grandchildren (sleeps). */
function spawnGroup(script: string): ReturnType<typeof spawn> {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  started.push(child.pid as number);
  return child;
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

describe('process registry', () => {
  it('tags this process and the children it starts with one run tag', async () => {
    expect(runTag()).toMatch(/\S/);
    expect(process.env[RUN_TAG_ENV]).toBe(runTag());
    const child = spawn('sh', ['-c', `printf %s "$${RUN_TAG_ENV}"`], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    expect(out).toBe(runTag());
  });

  it('terminateAllChildren kills a tracked process group, grandchildren included, and forgets it', async () => {
    const child = spawnGroup('sleep 100 & sleep 100 & wait');
    const pgid = child.pid as number;
    expect(await waitFor(() => processGroupMembers(pgid).length >= 3)).toBe(true);
    trackChild(child, 'sleepers');
    expect(trackedTrees().some((t) => t.pid === pgid && t.group)).toBe(true);
    await terminateAllChildren(500);
    expect(processGroupMembers(pgid)).toEqual([]);
    expect(trackedTrees().some((t) => t.pid === pgid)).toBe(false);
  });

  it('kills what a tracked leader left in its group when the leader exits', async () => {
    const child = spawnGroup('sleep 100 & echo started');
    const pgid = child.pid as number;
    trackChild(child, 'leaves a sleep behind');
    await new Promise((resolve) => child.once('exit', resolve));
    // The shell is gone; its sleep was still in the group and is stopped by the registry.
    expect(await waitFor(() => processGroupMembers(pgid).length === 0, 3000)).toBe(true);
    expect(await waitFor(() => !trackedTrees().some((t) => t.pid === pgid), 3000)).toBe(true);
  });

  it('terminateTree escalates to SIGKILL for a group that ignores SIGTERM', async () => {
    const child = spawnGroup("trap '' TERM; sleep 100 & sleep 100 & wait");
    const pgid = child.pid as number;
    expect(await waitFor(() => processGroupMembers(pgid).length >= 3)).toBe(true);
    const release = trackPid(pgid, { group: true, label: 'ignores TERM' });
    // The shell ignores TERM; its sleeps inherit the ignored disposition.
    const wentOnTerm = await terminateTree({ pid: pgid, group: true }, 300);
    expect(wentOnTerm).toBe(false);
    expect(processGroupMembers(pgid)).toEqual([]);
    release();
    expect(trackedTrees().some((t) => t.pid === pgid)).toBe(false);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { trackedTrees } from '../../core/process-registry.ts';
import { processGroupMembers } from '../../core/proc-table.ts';
import { startStressNg, stressNgArgs, stressNgAvailable, stressNgTimeoutSec, type StressNgHandle } from './stress-ng.ts';

const available = await stressNgAvailable();
const SKIP_REASON = 'stress-ng is not installed (apt-get install stress-ng)';
const FIXTURE = fileURLToPath(new URL('./fixtures/stress-ng-child.ts', import.meta.url));

/** Groups this file created: whatever happens, they are SIGKILLed after each test. */
const groups = new Set<number>();
const handles: StressNgHandle[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop()));
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
});

async function waitFor(predicate: () => boolean, limitMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** stress-ng processes in the group, zombies included (a zombie is a leak too). */
const stressNgInGroup = (pgid: number) =>
  processGroupMembers(pgid, { includeZombies: true }).filter((p) => p.comm.startsWith('stress-ng'));

describe('stress-ng arguments', () => {
  it('always sets a timeout: explicit, budget + margin, or the default', () => {
    expect(stressNgArgs({ cpu: 2, load: 50, timeoutSec: 12 })).toEqual(['--cpu', '2', '--cpu-load', '50', '--timeout', '12s']);
    expect(stressNgTimeoutSec({ budgetMs: 60_500 })).toBe(61 + 30);
    expect(stressNgTimeoutSec({ budgetMs: 10_000, marginSec: 5 })).toBe(15);
    expect(stressNgTimeoutSec({})).toBe(600);
  });
  it('rejects bad options', () => {
    expect(() => stressNgArgs({ cpu: -1, load: 50 })).toThrow(/cpu/);
    expect(() => stressNgArgs({ cpu: 1, load: 150 })).toThrow(/load/);
    expect(() => stressNgArgs({ cpu: 1, load: 50, timeoutSec: 0 })).toThrow(/timeout/);
  });
  it('reports a missing binary clearly', async () => {
    expect(await stressNgAvailable('/nonexistent/stress-ng')).toBe(false);
    await expect(startStressNg({ cpu: 1, load: 10, binary: '/nonexistent/stress-ng' })).rejects.toThrow(/could not start/);
  });
});

describe.skipIf(!available)(`stress-ng lifecycle${available ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  it('runs in its own process group, and stop() leaves no stress-ng process', async () => {
    const handle = await startStressNg({ cpu: 1, load: 10, timeoutSec: 60 });
    handles.push(handle);
    groups.add(handle.pid);
    expect(handle.pid).not.toBe(process.pid);
    // Parent + one CPU worker.
    expect(await waitFor(() => stressNgInGroup(handle.pid).length >= 2)).toBe(true);
    expect(trackedTrees().some((c) => c.pid === handle.pid && c.group)).toBe(true);
    await handle.stop();
    expect(stressNgInGroup(handle.pid)).toEqual([]);
    expect(handle.exited()).toBe(true);
    expect(await waitFor(() => !trackedTrees().some((c) => c.pid === handle.pid), 3000)).toBe(true);
  });

  it('exits on its own --timeout (the last net, should even the parent-death guard be gone)', async () => {
    const handle = await startStressNg({ cpu: 1, load: 10, timeoutSec: 2 });
    handles.push(handle);
    groups.add(handle.pid);
    expect(await waitFor(() => stressNgInGroup(handle.pid).length >= 2)).toBe(true);
    expect(await waitFor(() => handle.exited() && stressNgInGroup(handle.pid).length === 0)).toBe(true);
  });

  it('a harness process killed with SIGKILL leaves no stress-ng behind (the parent-death guard)', async () => {
    const child = spawnFixture('wait', 120);
    const pgid = await readPgid(child);
    expect(await waitFor(() => stressNgInGroup(pgid).length >= 2)).toBe(true);
    child.kill('SIGKILL');
    await exitOf(child);
    // Far sooner than its own 120 s deadline.
    expect(await waitFor(() => stressNgInGroup(pgid).length === 0, 5000)).toBe(true);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a harness process sent ${signal} leaves no stress-ng behind and dies by the signal`, async () => {
      const child = spawnFixture('wait', 120);
      const pgid = await readPgid(child);
      expect(await waitFor(() => stressNgInGroup(pgid).length >= 2)).toBe(true);
      child.kill(signal);
      const exit = await exitOf(child);
      expect(exit.signal).toBe(signal);
      expect(await waitFor(() => stressNgInGroup(pgid).length === 0)).toBe(true);
    });
  }

  for (const mode of ['crash', 'exit'] as const) {
    it(`a harness process that ends by ${mode === 'crash' ? 'an uncaught exception' : 'process.exit()'} leaves no stress-ng behind`, async () => {
      const child = spawnFixture(mode, 120);
      const pgid = await readPgid(child);
      expect(await waitFor(() => stressNgInGroup(pgid).length >= 2)).toBe(true);
      child.stdin?.write('go\n');
      const exit = await exitOf(child);
      expect(exit.code).toBe(mode === 'crash' ? 1 : 3);
      expect(await waitFor(() => stressNgInGroup(pgid).length === 0)).toBe(true);
    });
  }
});

function spawnFixture(mode: 'wait' | 'crash' | 'exit', timeoutSec: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, mode, String(timeoutSec)], {
    // stderr is drained, not shown: the crash case prints its (expected) stack there.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr?.resume();
  children.push(child);
  return child;
}

function readPgid(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      buffered += chunk;
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) {
        const pgid = (JSON.parse(line) as { pgid: number }).pgid;
        groups.add(pgid);
        resolve(pgid);
      }
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before starting stress-ng`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

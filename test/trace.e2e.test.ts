/**
 * The trace phase end to end on this machine: the real CLI on a target whose slow path is
 * `parseHeader` (test/fixtures/trace/), with bpftrace, with bpftrace hidden from PATH (V8
 * fallback), and interrupted by SIGINT while bpftrace samples (nothing may be left running).
 * Skips the bpftrace cases where bpftrace cannot run (not Linux, not root, not installed).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../harness/core/results-schema.ts';
import { bpftraceAvailable } from '../harness/trace/bpftrace.ts';
import { CLI, REPO } from './support/cli.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/trace');
const canBpftrace = (await bpftraceAvailable()).ok;
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function makeTraceProject(): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'trace-'));
  made.push(dir);
  await cp(path.join(FIXTURE, 'parse-header.scenario.ts'), path.join(dir, 'parse-header.scenario.ts'));
  await cp(path.join(FIXTURE, 'parse-header-corpus'), path.join(dir, 'parse-header-corpus'), { recursive: true });
  return dir;
}

interface Run {
  code: number | null;
  stderr: string;
  pid: number;
  /** bpftrace processes seen as direct children of the CLI while it ran. */
  bpftracePids: number[];
}

async function childBpftrace(parent: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    if (/^Name:\s*bpftrace$/m.test(status) && new RegExp(`^PPid:\\s*${parent}$`, 'm').test(status)) found.push(Number(entry));
  }
  return found;
}

function isBpftrace(pid: number): boolean {
  try {
    return /^Name:\s*bpftrace$/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Runs the CLI; with `interruptWhenTracing`, sends SIGINT once bpftrace is sampling. */
function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv, interruptWhenTracing = false): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const seen = new Set<number>();
  let interrupted = false;
  const poll = setInterval(() => {
    void childBpftrace(child.pid ?? -1).then((pids) => {
      for (const p of pids) seen.add(p);
      // Well after attach: bpftrace ignores a SIGINT right after attaching, the CLI must still clean up.
      if (interruptWhenTracing && !interrupted && pids.length > 0 && stderr.includes('trace: bpftrace')) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), 1200);
      }
    });
  }, 100);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr, pid: child.pid ?? -1, bpftracePids: [...seen] });
    }),
  );
}

async function results(dir: string): Promise<ResultsFile> {
  return JSON.parse(await readFile(path.join(dir, 'out', 'results.json'), 'utf8')) as ResultsFile;
}

/** Where `parseHeader` is declared in the TypeScript fixture: frames carry source lines (source maps), not tsx's output positions. */
const PARSE_HEADER_LINE = readFileSync(path.join(FIXTURE, 'parse-header.scenario.ts'), 'utf8').split('\n').findIndex((l) => l.includes('function parseHeader(')) + 1;
const parseHeaderAtItsLine = (frame: string): boolean => frame.startsWith(`parseHeader (parse-header.scenario.ts:${PARSE_HEADER_LINE}:`);

const RUN = ['run', 'parse-header.scenario.ts', '--out', 'out', '--seed', '5', '--budget', '2s', '--quiet'];

describe('trace phase (real CLI, real sampler)', () => {
  it.skipIf(!canBpftrace)('records bpftrace stacks with named JS frames; parseHeader leads the violation stacks', async () => {
    const dir = await makeTraceProject();
    const run = await runCli(RUN, dir, process.env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/trace: bpftrace, 99 Hz/);
    expect(run.stderr).toMatch(/bpftrace probes attached \d+ ms after launch/);
    const traced = (await results(dir)).scenarios[0]?.findings.filter((f) => f.stacks) ?? [];
    expect(traced.length, run.stderr).toBeGreaterThan(0);
    for (const f of traced) {
      expect(f.stacks?.backend).toBe('bpftrace');
      expect(f.stacks?.folded.length).toBeGreaterThan(0);
      expect(f.stacks?.topTotal.some((t) => t.kind === 'js' && /^\w+ \(parse-header\.scenario\.ts:\d+:\d+\)$/.test(t.frame))).toBe(true);
      expect(f.stacks?.topTotal.slice(0, 3).some((t) => t.frame.startsWith('parseHeader ('))).toBe(true);
      expect(f.stacks?.topTotal.some((t) => parseHeaderAtItsLine(t.frame)), JSON.stringify(f.stacks?.topTotal.slice(0, 5))).toBe(true);
    }
    expect(run.bpftracePids.filter(isBpftrace)).toEqual([]);
  });

  it('with bpftrace hidden from PATH, records V8 stacks and says it fell back', async () => {
    const dir = await makeTraceProject();
    const emptyBin = path.join(dir, 'empty-bin');
    await mkdir(emptyBin);
    const run = await runCli(RUN, dir, { ...process.env, PATH: emptyBin });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/trace: v8-inspector \(fallback: bpftrace not on PATH/);
    const traced = (await results(dir)).scenarios[0]?.findings.filter((f) => f.stacks) ?? [];
    expect(traced.length, run.stderr).toBeGreaterThan(0);
    for (const f of traced) {
      expect(f.stacks?.backend).toBe('v8-inspector');
      expect(f.stacks?.reason).toMatch(/bpftrace not on PATH/);
    }
    expect(traced.some((f) => f.stacks?.topTotal.slice(0, 3).some((t) => t.frame.startsWith('parseHeader (')))).toBe(true);
    expect(traced.some((f) => f.stacks?.topTotal.some((t) => parseHeaderAtItsLine(t.frame)))).toBe(true);
    expect(run.bpftracePids).toEqual([]);
  });

  it.skipIf(!canBpftrace)('leaves no bpftrace running after SIGINT during the trace phase', async () => {
    const dir = await makeTraceProject();
    const run = await runCli(RUN, dir, process.env, true);
    expect(run.bpftracePids.length, run.stderr).toBeGreaterThan(0);
    expect([1, 130]).toContain(run.code);
    // Give the kernel a moment to reap, then check by pid (other bpftrace runs on the machine are not ours).
    await new Promise((r) => setTimeout(r, 500));
    expect(run.bpftracePids.filter(isBpftrace)).toEqual([]);
    expect(existsSync(path.join(dir, 'out', 'results.json'))).toBe(true);
  });
});

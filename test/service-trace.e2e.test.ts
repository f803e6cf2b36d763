/**
 * Stacks of an HTTP service process through the real CLI: a service whose every 5th request
 * spends ~40 ms in `parseHeader` (test/fixtures/service-trace/), traced with bpftrace during
 * the load phase, and with bpftrace hidden from PATH (the in-process V8 profiler fallback).
 * Skips the bpftrace case where bpftrace cannot run (not Linux, not root, not installed).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsFile, ServiceStacks } from '../harness/core/results-schema.ts';
import { bpftraceAvailable } from '../harness/trace/bpftrace.ts';
import { CLI, processesIn, REPO } from './support/cli.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/service-trace');
const canBpftrace = (await bpftraceAvailable()).ok;
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function makeProject(): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'service-trace-'));
  made.push(dir);
  await cp(FIXTURE, dir, { recursive: true });
  return dir;
}

function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

async function serviceStacks(dir: string): Promise<ServiceStacks | undefined> {
  const results = JSON.parse(await readFile(path.join(dir, 'out', 'results.json'), 'utf8')) as ResultsFile;
  return results.scenarios[0]?.service?.stacks;
}

const RUN = ['run', 'service-trace.scenario.ts', '--out', 'out', '--seed', '5'];
const PARSE_HEADER = /^parseHeader \(server\.mjs:\d+:\d+\)$/;

/** parseHeader is among the top frames of the violation side and hotter there than in the baseline. */
function expectParseHeaderBlamed(stacks: ServiceStacks | undefined): void {
  expect(stacks?.requests.violating).toBeGreaterThan(0);
  expect(stacks?.requests.baseline).toBeGreaterThan(stacks?.requests.violating ?? Infinity);
  const violation = stacks?.violation;
  expect(violation?.folded.length).toBeGreaterThan(0);
  expect(violation?.topTotal.slice(0, 3).some((t) => PARSE_HEADER.test(t.frame))).toBe(true);
  const diff = violation?.diff?.find((d) => PARSE_HEADER.test(d.frame));
  expect(diff?.violationShare ?? 0).toBeGreaterThan(diff?.baselineShare ?? 1);
  expect(stacks?.phase?.topTotal.some((t) => PARSE_HEADER.test(t.frame))).toBe(true);
}

describe('service stacks (real CLI, real sampler)', () => {
  it.skipIf(!canBpftrace)('samples the service with bpftrace during the load phase: named JS frames, parseHeader blamed', async () => {
    const dir = await makeProject();
    const run = await runCli(RUN, dir, process.env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/service trace: bpftrace, 99 Hz/);
    const stacks = await serviceStacks(dir);
    expect(stacks?.backend).toBe('bpftrace');
    expect(stacks?.thresholdFrom).toBe('p99 SLO');
    expectParseHeaderBlamed(stacks);
    expect(await processesIn(dir)).toEqual([]);
  });

  it('with bpftrace hidden from PATH, profiles the service in-process with V8 and says it fell back', async () => {
    const dir = await makeProject();
    const emptyBin = path.join(dir, 'empty-bin');
    await mkdir(emptyBin);
    const run = await runCli(RUN, dir, { ...process.env, PATH: emptyBin });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/service trace: v8-inspector \(fallback: bpftrace not on PATH/);
    const stacks = await serviceStacks(dir);
    expect(stacks?.backend).toBe('v8-inspector');
    expect(stacks?.reason).toMatch(/bpftrace not on PATH/);
    expectParseHeaderBlamed(stacks);
    expect(await processesIn(dir)).toEqual([]);
  });
});

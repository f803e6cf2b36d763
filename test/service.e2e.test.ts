/**
 * HTTP service targets through the real CLI: a tiny service (test/fixtures/service/server.mjs)
 * with a dependency behind the chaos proxy, a service that dies on an input, interrupts that
 * must leave no process behind, and the TOXIPROXY_URL path against an embedded Toxiproxy-API
 * server started here as if it were an external one.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy } from '../harness/chaos/toxiproxy/index.ts';
import { connectOutcome } from './support/toxiproxy.ts';
import type { EmbeddedToxiproxy } from '../harness/chaos/toxiproxy/types.ts';
import type { ResultsFile } from '../harness/core/results-schema.ts';
import { processesIn, REPO, runCli, startCli } from './support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/service');

/** A throw-away project under test-output/ (so `import 'slo-harness'` resolves) with the service fixtures. */
async function makeServiceProject(): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'service-'));
  await cp(FIXTURES, path.join(dir, 'scenarios'), { recursive: true });
  await mkdir(path.join(dir, 'corpora/fixture-service-crash'), { recursive: true });
  await writeFile(path.join(dir, 'corpora/fixture-service-crash/fatal.txt'), 'CRASH');
  return dir;
}

async function results(dir: string): Promise<ResultsFile> {
  return JSON.parse(await readFile(path.join(dir, 'out', 'results.json'), 'utf8')) as ResultsFile;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

let dir: string;
beforeAll(async () => {
  dir = await makeServiceProject();
});

describe('service scenarios (real CLI, real processes, chaos proxy)', () => {
  it('runs a service with a proxied dependency: PASS, corrected and uncorrected P99, chaos recorded', async () => {
    const run = await runCli(['run', 'scenarios/service-pass.scenario.ts', '--out', 'out', '--seed', '3'], dir);
    expect(run.code, run.stderr).toBe(0);
    const s = (await results(dir)).scenarios[0];
    expect(s?.verdict).toBe('PASS');
    expect(s?.status).toBe('complete');
    expect(s?.service?.planned).toBe(400);
    expect(s?.service?.completed).toBe(400);
    expect(s?.calls).toBe(400);
    expect(s?.service?.proxy.mode).toBe('embedded');
    expect(s?.service?.dependencies.map((d) => d.name)).toEqual(['backend']);
    // Corrected latency is measured from the intended send time: never below the uncorrected one.
    expect(s?.service?.corrected.p99Ms ?? 0).toBeGreaterThanOrEqual(s?.service?.uncorrected.p99Ms ?? Infinity);
    expect(s?.chaos?.toxics[0]?.attributes['distribution']).toBe('pareto');
    expect(s?.chaos?.pareto?.alpha).toBe(2);
    expect(s?.timeline?.length).toBeGreaterThan(0);
    expect(await processesIn(path.join(dir, 'scenarios'))).toEqual([]);
  });

  it('a service that dies on an input is a finding with that input saved, not a harness crash', async () => {
    const run = await runCli(['run', 'scenarios/service-crash.scenario.ts', '--out', 'out', '--seed', '1'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/internal error/);
    const s = (await results(dir)).scenarios[0];
    expect(s?.status).toBe('complete');
    const finding = s?.findings[0];
    expect(finding?.kind).toBe('exit');
    expect(finding?.message).toMatch(/exited with code 3/);
    expect(finding?.stack).toMatch(/fatal input received/);
    expect(finding?.input.preview).toBe('CRASH');
    const saved = await readFile(path.join(dir, finding?.input.file ?? 'missing'), 'utf8');
    expect(saved).toBe('CRASH');
  });

  it('searches the breaking point over the request rate and reports the curve and bracket', async () => {
    const run = await runCli(['run', 'scenarios/service-rate.scenario.ts', '--out', 'out', '--seed', '2'], dir);
    expect([0, 1], run.stderr).toContain(run.code);
    const bp = (await results(dir)).scenarios[0]?.breakingPoint;
    expect(bp?.knob).toBe('rate');
    expect(bp?.knobUnit).toBe('req/s');
    expect(bp?.curve.length).toBeGreaterThanOrEqual(1);
    const intensities = bp?.curve.map((p) => p.intensity) ?? [];
    expect(intensities).toEqual([...intensities].sort((a, b) => a - b));
    expect(intensities.every((x) => x >= 50 && x <= 1500)).toBe(true);
    // 1,500 req/s against a ~330 req/s service: the top of the range fails whenever it was measured.
    if (bp?.bracket.failing != null && bp.bracket.passing != null) expect(bp.bracket.passing).toBeLessThan(bp.bracket.failing);
    expect(['found', 'below-range', 'not-broken', 'inconclusive', 'budget-exhausted']).toContain(bp?.status);
    expect(bp?.status).not.toBe('not-broken');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops the run and leaves no service, dependency or proxy behind', async (signal) => {
    const cli = startCli(['run', 'scenarios/service-long.scenario.ts', '--out', 'out', '--seed', '1'], dir);
    const scenarioDir = path.join(dir, 'scenarios');
    // Service and dependency both up (their working directory is the scenario folder).
    await waitUntil(async () => (await processesIn(scenarioDir)).length >= 2, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    cli.kill(signal);
    const done = await cli.done;
    expect(done.code, done.stderr).toBe(signal === 'SIGINT' ? 130 : 143);
    expect(await processesIn(scenarioDir)).toEqual([]);
    const s = (await results(dir)).scenarios[0];
    expect(s?.status).toBe('interrupted');
    // The chaos proxies lived in the harness process: their ports are closed with it.
    for (const dep of s?.service?.dependencies ?? []) expect(await connectOutcome(Number(dep.proxied.split(':')[1]))).toBe('ECONNREFUSED');
  });
});

describe('TOXIPROXY_URL: the same client drives an external Toxiproxy server', () => {
  let server: EmbeddedToxiproxy;
  beforeAll(async () => {
    server = await startEmbeddedToxiproxy({ seed: 9 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('runs through the external server, approximates Pareto by re-sampling, and removes its proxies', async () => {
    const previous = process.env['TOXIPROXY_URL'];
    process.env['TOXIPROXY_URL'] = server.url;
    let cli;
    try {
      cli = startCli(['run', 'scenarios/service-pass.scenario.ts', '--out', 'out', '--seed', '3'], dir);
    } finally {
      if (previous === undefined) delete process.env['TOXIPROXY_URL'];
      else process.env['TOXIPROXY_URL'] = previous;
    }
    const client = new Toxiproxy(server.url);
    // While the run is on, the proxy lives on the external server with a plain latency toxic.
    let seen: { attributes: Record<string, unknown> } | undefined;
    await waitUntil(async () => {
      // Raw API read: the proxy list with its toxics, as the external server holds them.
      const proxies = (await (await fetch(`${server.url}/proxies`)).json()) as Record<string, { toxics: Array<{ attributes: Record<string, unknown> }> }>;
      const proxy = Object.entries(proxies).find(([name]) => name.includes('fixture-service-pass-backend'))?.[1];
      seen = proxy?.toxics[0];
      return seen !== undefined;
    }, 30_000);
    expect(seen?.attributes['distribution']).toBeUndefined();
    expect(typeof seen?.attributes['latency']).toBe('number');
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    const s = (await results(dir)).scenarios[0];
    expect(s?.service?.proxy).toEqual({ mode: 'external', url: server.url });
    expect(s?.chaos?.note).toMatch(/approximated by re-drawing a latency toxic/);
    expect(Object.keys(await client.getAll())).toEqual([]);
  });
});

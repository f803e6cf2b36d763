import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ResolvedServiceScenario } from '../scenario/service-types.ts';
import { ServiceTracer } from './service-trace.ts';

/** Just the fields the tracer reads. */
function scenario(command: string[], env: Record<string, string> = {}): ResolvedServiceScenario {
  return { service: { command, env }, slo: { thresholds: [{ metric: 'p99', thresholdMs: 50 }], perCallMs: 500 } } as unknown as ResolvedServiceScenario;
}

describe('ServiceTracer set-up (V8 fallback)', () => {
  it('gives a Node service the profiler preload through NODE_OPTIONS, after the scenario\'s own options', async () => {
    const lines: string[] = [];
    const tracer = await ServiceTracer.prepare(scenario(['{node}', 'server.mjs'], { NODE_OPTIONS: '--max-old-space-size=64' }), { mode: 'v8', hz: 99, log: (l) => lines.push(l) });
    const options = tracer.serviceEnv.NODE_OPTIONS ?? '';
    expect(options).toMatch(/^--max-old-space-size=64 --require \S+\.cjs$/);
    const preload = options.split(' ').at(-1) ?? '';
    expect(existsSync(preload)).toBe(true);
    expect(tracer.serviceEnv.SLO_HARNESS_PROFILE_PARENT).toBe(String(process.pid));
    expect(tracer.serviceEnv.SLO_HARNESS_PROFILE_INTERVAL_US).toBe('10101');
    expect(lines).toEqual(['service trace: v8-inspector, 99 Hz']);
    await tracer.cleanup();
    expect(existsSync(preload)).toBe(false);
  });

  it('leaves a service that is not Node alone and says why it has no stacks', async () => {
    const lines: string[] = [];
    const tracer = await ServiceTracer.prepare(scenario(['python3', 'server.py']), { mode: 'v8', hz: 99, log: (l) => lines.push(l) });
    expect(tracer.serviceEnv).toEqual({});
    const stacks = tracer.result();
    expect(stacks.backend).toBe('none');
    expect(stacks.reason).toMatch(/needs a Node service/);
    expect(stacks.thresholdMs).toBe(50);
    expect(lines.at(-1)).toMatch(/^service trace: no stacks/);
    await tracer.cleanup();
  });
});

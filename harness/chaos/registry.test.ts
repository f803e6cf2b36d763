import { describe, expect, it } from 'vitest';
import { CHAOS_KIND_NAMES, type ResolvedChaos, type ResolvedCpuChaos } from '../scenario/chaos-types.ts';
import { describeKnob } from './intensity.ts';
import { CHAOS_KINDS, FACTOR_KNOB, chaosKindNamed, chaosKinds, findFunctionKnob, functionKnobsHint } from './registry.ts';
import { createDependencyInjector } from './dependencies.ts';
import { startScenarioStress } from './stress/scenario-stress.ts';
import { parseServiceKnob } from '../scenario/service-schema.ts';

const DEFAULT_CPU: ResolvedCpuChaos = { duty: 0, threads: 2, tool: 'burner' };
const chaos: ResolvedChaos = {
  dependencies: [{ name: 'db', latency: { alpha: 1.5, scaleMs: 2, capMs: null }, errorRate: 0.5, timeoutMs: null, hasCall: false }],
  cpu: { duty: 0.4, threads: 1, tool: 'burner' },
};

describe('CHAOS_KINDS', () => {
  it("has one descriptor per kind the scenario types name, each under its own name", () => {
    expect(Object.keys(CHAOS_KINDS)).toEqual([...CHAOS_KIND_NAMES]);
    for (const [key, kind] of Object.entries(CHAOS_KINDS)) expect(kind.name).toBe(key);
    expect(chaosKinds().map((k) => k.name)).toEqual(['latency', 'toxics', 'cpu']);
  });

  it('resolves every registered name, and refuses an unknown one with the list', () => {
    for (const name of CHAOS_KIND_NAMES) expect(chaosKindNamed(name)).toBe(CHAOS_KINDS[name]);
    expect(() => chaosKindNamed('disk')).toThrow('unknown chaos kind "disk": use latency, toxics, cpu');
  });

  it('starts latency and cpu from the chaos layer; the HTTP driver starts toxics', () => {
    expect(CHAOS_KINDS.latency.lifecycle.start).toBe(createDependencyInjector);
    expect(CHAOS_KINDS.cpu.lifecycle.start).toBe(startScenarioStress);
    expect(CHAOS_KINDS.toxics.lifecycle.start).toBeNull();
  });
});

describe('knobs through the registry', () => {
  it('finds the kind owning each function-target knob', () => {
    expect(findFunctionKnob('dependency.db.scale')?.kind.name).toBe('latency');
    expect(findFunctionKnob('dependency.db.scale')?.match[1]).toBe('db');
    expect(findFunctionKnob('cpu.duty')?.kind.name).toBe('cpu');
    // factor belongs to no kind; service knobs are not function-target knobs.
    expect(findFunctionKnob(FACTOR_KNOB)).toBeNull();
    expect(findFunctionKnob('dependency.db.latency')).toBeNull();
  });

  it('matches the service knob of toxics like the service schema does', () => {
    const [knob] = CHAOS_KINDS.toxics.knobs;
    expect(knob?.pattern.exec('dependency.db.latency')?.[1]).toBe('db');
    expect(knob?.pattern.exec('dependency.db.scale')?.[1]).toBe('db');
    expect(knob?.apply).toBeNull();
    for (const name of ['dependency.db.latency', 'dependency.db.scale', 'dependency.a.b.latency', 'rate', 'cpu.duty']) {
      const service = parseServiceKnob(name);
      const dependency = service?.kind === 'dependency-latency' ? service.dependency : null;
      expect(knob?.pattern.exec(name)?.[1] ?? null).toBe(dependency);
    }
  });

  it('keeps the unknown-knob message', () => {
    expect(functionKnobsHint()).toBe('dependency.<name>.scale, cpu.duty or factor');
    expect(() => describeKnob('disk.iops')).toThrow('unknown chaos knob "disk.iops": use dependency.<name>.scale, cpu.duty or factor');
  });

  it('lets each function kind scale itself by a factor', () => {
    const latency = CHAOS_KINDS.latency.scaleBy?.(chaos, 3);
    expect(latency?.dependencies[0]).toMatchObject({ latency: { scaleMs: 6 }, errorRate: 1 });
    expect(latency?.cpu).toEqual(chaos.cpu);
    const cpu = CHAOS_KINDS.cpu.scaleBy?.(chaos, 2);
    expect(cpu?.cpu?.duty).toBe(0.8);
    expect(cpu?.dependencies).toEqual(chaos.dependencies);
    expect(CHAOS_KINDS.cpu.knobs[0]?.apply?.({ dependencies: [], cpu: null }, /x/.exec('x') as RegExpExecArray, 2, { cpu: DEFAULT_CPU }).cpu).toEqual({ ...DEFAULT_CPU, duty: 1 });
  });
});

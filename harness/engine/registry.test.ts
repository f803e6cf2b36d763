import { describe, expect, it } from 'vitest';
import { ENGINE_NAMES } from '../scenario/base-types.ts';
import { resolveScenarios } from '../scenario/schema.ts';
import { AUTO, AUTO_ENGINE, ENGINES, FALLBACK_ENGINE, engineNamesHint, parseEngineName, registeredEngines, wantedEngine } from './registry.ts';
import { resolveEngine } from './select.ts';

describe('ENGINES', () => {
  it('has one descriptor per requestable name but auto, each under its own name', () => {
    expect(Object.keys(ENGINES).sort()).toEqual(ENGINE_NAMES.filter((n) => n !== AUTO).sort());
    for (const [key, engine] of Object.entries(ENGINES)) expect(engine.name).toBe(key);
    expect(registeredEngines().map((e) => e.name)).toEqual(['builtin', 'jazzer']);
  });

  it('resolves every requestable name to a registered engine', () => {
    for (const name of ENGINE_NAMES) expect(parseEngineName(name)).toBe(name);
    expect(wantedEngine('builtin')).toBe(ENGINES.builtin);
    expect(wantedEngine('jazzer')).toBe(ENGINES.jazzer);
    expect(wantedEngine('auto')).toBe(ENGINES[AUTO_ENGINE]);
  });

  it('keeps a fallback that always runs, and says what needs probing or starting', () => {
    expect(ENGINES[FALLBACK_ENGINE].availability).toBeNull();
    expect(ENGINES[FALLBACK_ENGINE].startupMs).toBe(0);
    expect(ENGINES.jazzer.availability).not.toBeNull();
    expect(ENGINES.jazzer.startupMs).toBe(3000);
  });

  it('selects each registered engine when it can run', () => {
    for (const engine of registeredEngines()) {
      const name = parseEngineName(engine.name);
      expect(resolveEngine(name, { loadable: true, reason: 'loads' }).used).toBe(engine.name);
    }
  });
});

describe('unknown engine names', () => {
  it('are refused with the words the scenario schema has always used', () => {
    expect(engineNamesHint()).toBe('use "builtin", "jazzer" or "auto"');
    expect(() => parseEngineName('libfuzzer')).toThrow('unknown engine "libfuzzer": use "builtin", "jazzer" or "auto"');
  });

  it('keep the scenario validation message', () => {
    const spec = { name: 'x', target: () => 1, input: { type: 'bytes' }, slo: { p99: '1ms' }, engine: 'libfuzzer' };
    let issues: unknown = null;
    try {
      resolveScenarios(spec, { file: '/nonexistent/scenarios/x.ts' });
    } catch (error) {
      issues = (error as { issues?: unknown }).issues;
    }
    expect(issues).toEqual([{ field: 'engine', problem: 'Invalid option: expected one of "builtin"|"jazzer"|"auto"', fix: engineNamesHint() }]);
  });
});

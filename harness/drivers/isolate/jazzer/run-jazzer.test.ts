import { describe, expect, it } from 'vitest';
import type { ResolvedScenario } from '../../../scenario/types.ts';
import { jazzerArgs, libFuzzerRuns } from './run-jazzer.ts';

describe('jazzerArgs', () => {
  const scenario = {
    file: '/repo/scenarios/y.scenario.ts',
    index: 0,
    input: { type: 'string', maxLength: 2048, dictionary: ['&a '], corpusDir: '/c' },
    timeoutMs: 2000,
  } as unknown as ResolvedScenario;

  it('instruments the scenario file and its packages, runs --sync with the scenario timeout', () => {
    const args = jazzerArgs({ scenario, seed: 9, packages: ['yaml'] }, '/e.js', '/corpus', '/art', '/dict', 4);
    expect(args.slice(0, 2)).toEqual(['/e.js', '/corpus']);
    expect(args).toEqual(expect.arrayContaining(['-i', '/repo/scenarios/y.scenario.ts', 'node_modules/yaml/', '--sync', '--timeout=2000']));
    const engineArgs = args.slice(args.indexOf('--') + 1);
    expect(engineArgs).toEqual(['-seed=9', '-max_total_time=4', '-max_len=2048', '-artifact_prefix=/art/', '-dict=/dict']);
  });

  it('arbitrary scenarios fuzz choice sequences of at most 4 KiB and take no dictionary', () => {
    const arb = { ...scenario, input: { type: 'arbitrary', maxLength: 65536, dictionary: [], corpusDir: '/c' } } as unknown as ResolvedScenario;
    const engineArgs = jazzerArgs({ scenario: arb, seed: 0, packages: [] }, '/e.js', '/corpus', '/art', '/dict', 4);
    expect(engineArgs).toContain('-max_len=4096');
    expect(engineArgs).toContain('-seed=1'); // libFuzzer treats 0 as "pick one at random"
    expect(engineArgs.some((a) => a.startsWith('-dict='))).toBe(false);
  });
});

describe('libFuzzerRuns', () => {
  it('reads the final count, else the last status line', () => {
    expect(libFuzzerRuns('#2\tINITED cov: 8\n#1024\tpulse cov: 9\nDone 5000 runs in 2 second(s)\n')).toBe(5000);
    expect(libFuzzerRuns('#2\tINITED cov: 8\n#50\tREDUCE cov: 8\nALARM: working on the last Unit\n')).toBe(50);
    expect(libFuzzerRuns('no output')).toBe(0);
  });
});

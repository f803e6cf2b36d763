import { afterAll, describe, expect, it } from 'vitest';
import { FeatureMaxima } from './features.ts';
import { classify } from './fixtures/branchy.ts';
import { isTargetScript, startV8BlockCoverage } from './v8-block-coverage.ts';

// Real V8 precise coverage on this thread (the vitest fork's main thread).
const started = startV8BlockCoverage({ include: (url) => url.endsWith('/fixtures/branchy.ts') });
afterAll(() => started.probe?.stop());

describe('V8 block coverage probe', () => {
  it('starts here', () => {
    expect(started.reason).toContain('V8');
    expect(started.probe).not.toBeNull();
  });

  it('counts block executions per call, deterministically', () => {
    const probe = started.probe!;
    const observe = (s: string) => {
      probe.reset();
      classify(s);
      return probe.collect();
    };
    observe('warm-up');
    const three = observe('abc');
    const six = observe('abcdef');
    const sixAgain = observe('abcdef');
    expect(Math.max(...three.counts)).toBe(3);
    expect(Math.max(...six.counts)).toBe(6);
    expect(six.total).toBeGreaterThan(three.total);
    expect([...sixAgain.counts]).toEqual([...six.counts]);
    // nothing ran between reset and collect
    probe.reset();
    expect(probe.collect().total).toBe(0);
  });

  it('shows new blocks for a new path and new maxima for more iterations', () => {
    const probe = started.probe!;
    const maxima = new FeatureMaxima();
    const observe = (s: string) => {
      probe.reset();
      classify(s);
      return maxima.observe(probe.collect());
    };
    observe('plain');
    expect(observe('plain').newMaxima).toBe(0);
    expect(observe('deep!').newFeatures).toBeGreaterThan(0);
    expect(observe('deep-').newFeatures).toBeGreaterThan(0);
    expect(observe('plainplainplain').newFeatures).toBe(0);
    expect(observe('plainplainplainplain').newMaxima).toBeGreaterThan(0);
  });

  it('by default excludes node internals, dependencies and the harness', () => {
    expect(isTargetScript('node:internal/x')).toBe(false);
    expect(isTargetScript('file:///a/node_modules/b/c.js')).toBe(false);
    expect(isTargetScript(new URL('./features.ts', import.meta.url).href)).toBe(false);
    expect(isTargetScript('file:///srv/app/parser.ts')).toBe(true);
  });
});

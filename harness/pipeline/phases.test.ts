import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../core/results-schema.ts';
import { RunState, runPipeline, type Phase, type PhaseGate, type PipelineTarget } from './phases.ts';

/** A run that records which phases ran and in what order cleanup happened. */
class Recorded extends RunState {
  readonly log: string[] = [];
}

const RESULT = { name: 'r' } as ScenarioResult;

function phase(name: Phase<Recorded>['name'], when: PhaseGate, body?: (s: Recorded) => void): Phase<Recorded> {
  return {
    name,
    when,
    run: (s) => {
      s.log.push(name);
      body?.(s);
    },
  };
}

function target(phases: Array<Phase<Recorded>>, onError: 'fatal' | 'throw' = 'fatal'): PipelineTarget<Recorded> {
  return { phases, onError, result: (s) => ({ ...RESULT, statusReason: s.fatal }) };
}

describe('runPipeline', () => {
  it('runs phases in order and skips gated ones after a fatal error or an interrupted measurement', async () => {
    const run = new Recorded({ seed: 1 });
    await runPipeline(run, target([
      phase('measure', 'always', (s) => (s.fatal = 'host died')),
      phase('minimise', 'healthy'),
      phase('chaos', 'always'),
      phase('breaking-point', 'unstopped'),
    ]));
    expect(run.log).toEqual(['measure', 'chaos']);

    const interrupted = new Recorded({ seed: 1 });
    await runPipeline(interrupted, target([phase('measure', 'always', (s) => (s.interrupted = true)), phase('trace', 'healthy'), phase('chaos', 'always')]));
    expect(interrupted.log).toEqual(['measure', 'chaos']);
  });

  it('skips `unstopped` phases once the caller aborted, but not `healthy` ones', async () => {
    const controller = new AbortController();
    const run = new Recorded({ seed: 1, signal: controller.signal });
    await runPipeline(run, target([phase('verdict', 'always', () => controller.abort()), phase('minimise', 'healthy'), phase('breaking-point', 'unstopped')]));
    expect(run.log).toEqual(['verdict', 'minimise']);
  });

  it('cleans up last-registered first before reading the result, also when a phase throws', async () => {
    const run = new Recorded({ seed: 1 });
    const result = await runPipeline(run, target([
      phase('trace-setup', 'always', (s) => s.onCleanup(() => void s.log.push('stop tracer'))),
      phase('start', 'always', (s) => s.onCleanup(() => void s.log.push('stop stack'))),
      phase('measure', 'always', () => {
        throw new Error('service never became ready');
      }),
      phase('crash-finding', 'always'),
    ]));
    expect(run.log).toEqual(['trace-setup', 'start', 'measure', 'stop stack', 'stop tracer']);
    expect(run.fatal).toBe('service never became ready');
    expect(result.statusReason).toBe('service never became ready');
  });

  it('an error after the caller aborted is an interrupt, not a fatal error', async () => {
    const controller = new AbortController();
    const run = new Recorded({ seed: 1, signal: controller.signal });
    await runPipeline(run, target([phase('start', 'always', () => {
      controller.abort();
      throw new Error('start-up cut short');
    })]));
    expect(run.fatal).toBeNull();
  });

  it('rethrows with onError `throw`, after cleanup', async () => {
    const run = new Recorded({ seed: 1 });
    const failing = target([
      phase('measure', 'always', (s) => {
        s.onCleanup(() => void s.log.push('stop stress'));
        throw new Error('module never loaded');
      }),
    ], 'throw');
    await expect(runPipeline(run, failing)).rejects.toThrow('module never loaded');
    expect(run.log).toEqual(['measure', 'stop stress']);
  });
});

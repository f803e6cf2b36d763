/**
 * The phase runner every scenario goes through, whatever its target. A target kind (function
 * in an isolate: pipeline/function-target.ts; HTTP service: pipeline/run-service.ts) is a
 * `PipelineTarget`: its phases in order, what a thrown error means, and how its result is read
 * once the phases are over. The runner owns the rest, once for all targets:
 *   time     `RunState.started` is the scenario's clock (durations and offsets in results.json);
 *   abort    each phase declares when it may run (`PhaseGate`), against the fatal error, the
 *            interrupted measurement and the caller's signal;
 *   cleanup  what a phase starts (a service stack, a tracer, a stressor) is registered with
 *            `RunState.onCleanup` and stopped, last first, before the result is read, even
 *            when a phase throws.
 *
 * Seam for a target driver: a phase is `(state) => Promise<void>` and only the target's own
 * phases call into its driver (drivers/isolate or drivers/http); the runner, the gates, the
 * state's clock/abort/cleanup and the result and finding builders (scenario-result.ts,
 * finding.ts) know nothing of either.
 */
import { performance } from 'node:perf_hooks';
import type { ScenarioResult } from '../core/results-schema.ts';
import type { RunScenarioOptions } from './options.ts';

/**
 * The phases a scenario can go through. Confirm, shrink and growth run per finding inside
 * `minimise` (each finding's cap is shared between them); `breaking-point` measures the
 * intensity steps; a service's trace wraps its measured load phase (`trace-setup`).
 */
export type PhaseName = 'explore' | 'measure' | 'verdict' | 'minimise' | 'trace' | 'chaos' | 'breaking-point' | 'trace-setup' | 'start' | 'crash-finding';

/**
 * When a phase runs:
 *   always      whatever happened before (a phase may still check its own conditions);
 *   healthy     no fatal error so far and the measured phase was not interrupted;
 *   unstopped   healthy, and the caller's signal has not been aborted since either.
 */
export type PhaseGate = 'always' | 'healthy' | 'unstopped';

export interface Phase<S extends RunState> {
  name: PhaseName;
  when: PhaseGate;
  run(state: S): Promise<void> | void;
}

export interface PipelineTarget<S extends RunState> {
  phases: ReadonlyArray<Phase<S>>;
  /**
   * A phase that throws: `fatal` makes the error the run's status reason (later phases are
   * skipped, the result is still read; an error after Ctrl-C is an interrupt, not a failure);
   * `throw` ends the run with the error (after cleanup).
   */
  onError: 'fatal' | 'throw';
  /** The scenario's result, read after the phases and the cleanup. */
  result(state: S): ScenarioResult;
}

/** What every phase sees: the caller's options, the clock, the outcome so far, the cleanup list. */
export class RunState {
  readonly cwd: string;
  /** How a user invokes the CLI, for replay commands. */
  readonly cli: string;
  /** performance.now() when the scenario started. */
  readonly started: number;
  /** Why the run failed; null while it has not. */
  fatal: string | null = null;
  /** The measured phase was cut short by the caller's signal. */
  interrupted = false;
  private readonly cleanups: Array<() => Promise<void> | void> = [];

  constructor(readonly opts: RunScenarioOptions, started = performance.now()) {
    this.started = started;
    this.cwd = opts.cwd ?? process.cwd();
    this.cli = opts.cliName ?? 'npx slo-harness';
  }

  get aborted(): boolean {
    return this.opts.signal?.aborted ?? false;
  }

  /** The caller's signal as an option field, for the drivers' `{ signal? }` options. */
  signalOption(): { signal?: AbortSignal } {
    return this.opts.signal ? { signal: this.opts.signal } : {};
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  onCleanup(stop: () => Promise<void> | void): void {
    this.cleanups.push(stop);
  }

  /** Runs the registered cleanups, last registered first. */
  async cleanup(): Promise<void> {
    for (const stop of this.cleanups.splice(0).reverse()) await stop();
  }
}

function gateOpen(gate: PhaseGate, state: RunState): boolean {
  if (gate === 'always') return true;
  const healthy = state.fatal === null && !state.interrupted;
  return gate === 'healthy' ? healthy : healthy && !state.aborted;
}

/** Runs the target's phases in order, then its cleanup, and reads its result. */
export async function runPipeline<S extends RunState>(state: S, target: PipelineTarget<S>): Promise<ScenarioResult> {
  try {
    for (const phase of target.phases) {
      if (gateOpen(phase.when, state)) await phase.run(state);
    }
  } catch (error) {
    if (target.onError === 'throw') throw error;
    // A phase cut short by Ctrl-C is an interrupt, not a broken target.
    if (!state.aborted) state.fatal = (error as Error).message;
  } finally {
    await state.cleanup();
  }
  return target.result(state);
}

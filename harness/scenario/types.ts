/**
 * The scenario file API: what an SRE writes. A scenario pairs a target with its inputs,
 * an SLO and a budget. This file is the public union: the shared shapes live in
 * `base-types.ts`, the chaos and service shapes in `chaos-types.ts` and `service-types.ts`
 * (each imports only from below it), and all are re-exported here. Every field is validated
 * at the edge by `schema.ts`, which turns these loose user-facing shapes into the normalised
 * {@link ResolvedScenario} the rest of the harness consumes.
 */
import type { Duration, InputOf, InputSpec, ResolvedScenarioBase, ScenarioSpecBase } from './base-types.ts';
import type { BreakingPointSpec, ChaosSpec, FunctionDependencySpec, ResolvedBreakingPoint, ResolvedChaos } from './chaos-types.ts';
import type { ResolvedServiceScenario, ServiceScenarioSpec } from './service-types.ts';

export * from './base-types.ts';
export type * from './chaos-types.ts';
export type * from './service-types.ts';

/** What the harness hands a target besides its input. */
export interface TargetContext {
  /** The scenario's run seed (the same for every call of a run). */
  readonly seed: number;
  /** 0-based index of this call within its isolate's life. */
  readonly iteration: number;
  /**
   * Calls a dependency declared in the scenario's `dependencies`: waits its injected
   * (seeded Pareto) delay, then rejects with a DependencyError (probability `errorRate`) or
   * a DependencyTimeout (delay over `timeout`), or resolves to its `call(request)`.
   */
  dependency<T = unknown>(name: string, request?: unknown): Promise<T>;
}

/**
 * A function target: a protocol parser, a policy evaluator. It runs inside an isolated
 * worker, never on the harness's own event loop. A slow return, a hang, a throw, a
 * `process.exit` or an out-of-memory are all findings.
 */
export type TargetFunction<I = Buffer> = (input: I, ctx: TargetContext) => unknown;

/** A function-target scenario as written in a scenario file. */
export interface FunctionScenarioSpec<S extends InputSpec = InputSpec> extends ScenarioSpecBase<S> {
  target: TargetFunction<InputOf<S>>;
  /** Hard per-call watchdog: a call still running after this is killed and recorded. Default `'2s'`. */
  timeout?: Duration;
  /** Memory cap for the target's isolate (old generation, MiB). Default 512. */
  memoryLimitMb?: number;
  /**
   * Errors the target is allowed to throw (a parser rejecting malformed input). Any other
   * throw is a finding. Evaluated inside the isolate.
   */
  expectedError?: (error: unknown) => boolean;
  /** Dependencies the target reaches through `ctx.dependency(name)`, with injected latency and faults. */
  dependencies?: Record<string, FunctionDependencySpec>;
  /** CPU stress during the measured phase. */
  chaos?: ChaosSpec;
  /** Search the chaos intensity at which P99 breaks the SLO (after the measured phase). */
  breakingPoint?: BreakingPointSpec;
}

/**
 * A scenario as written in a scenario file: a function target (`target`) or an HTTP service
 * (`service`, see service-types.ts).
 */
export type ScenarioSpec<S extends InputSpec = InputSpec> = FunctionScenarioSpec<S> | ServiceScenarioSpec<S>;

/** A scenario after validation and normalisation: every default filled, every duration in ms. */
export type ResolvedScenario = ResolvedFunctionScenario | ResolvedServiceScenario;

/** A function-target scenario after validation (plain data: it crosses into the isolate). */
export interface ResolvedFunctionScenario extends ResolvedScenarioBase {
  kind: 'function';
  /** Dependency and CPU chaos; absent when the scenario declares none. */
  chaos?: ResolvedChaos;
  /** Breaking-point search; absent when the scenario declares none. */
  breakingPoint?: ResolvedBreakingPoint;
}

/**
 * Chaos fields of a scenario: dependency latency/errors/timeouts injected through the
 * target's context, CPU stress during the measured phase, and the breaking-point search
 * over one chaos intensity knob. User-facing shapes first, then the resolved (validated,
 * every duration in ms) shapes that cross process and thread boundaries as plain data.
 */
import type { Duration } from './base-types.ts';

/** Pareto latency by its parameters: `x = scale * U^(-1/alpha)`. */
export interface ParetoLatencySpec {
  /** Tail index (> 0); smaller is heavier. 1.16 is the "80/20" tail. */
  alpha: number;
  /** Minimum delay (every draw is >= scale). */
  scale: Duration;
  /** Upper bound on a draw. */
  cap?: Duration;
}

/** Pareto latency by two percentiles (alpha and scale are solved from them). */
export interface PercentileLatencySpec {
  p50: Duration;
  p99: Duration;
  cap?: Duration;
}

export type DependencyLatencySpec = ParetoLatencySpec | PercentileLatencySpec;

/** What the dependency returns: a stub value, or a real call. */
export type DependencyCall<Req = unknown, Res = unknown> = (request: Req) => Res | Promise<Res>;

/** A dependency the target calls through `ctx.dependency(name, request)`. */
export interface FunctionDependencySpec<Req = unknown, Res = unknown> {
  /** Injected delay before each call returns. */
  latency?: DependencyLatencySpec;
  /** Probability in [0, 1] that a call fails with a DependencyError (after its delay). */
  errorRate?: number;
  /** A call whose injected delay exceeds this rejects with a DependencyTimeout after waiting the timeout. */
  timeout?: Duration;
  /**
   * The dependency's answer (a stub value or a real call); without it the call resolves to
   * `undefined`. A method signature, so a stub may type its request (`(req: { id: number }) => ...`).
   */
  call?(request: Req): Res | Promise<Res>;
}

/**
 * The kinds of chaos a scenario can declare: dependency latency (function targets'
 * `dependencies`), network toxics (service dependencies' `toxics`), CPU stress
 * (`chaos.cpu`). chaos/registry.ts has one descriptor per name, checked by the compiler.
 */
export const CHAOS_KIND_NAMES = ['latency', 'toxics', 'cpu'] as const;
export type ChaosKindName = (typeof CHAOS_KIND_NAMES)[number];

/** Breaking-point knobs of function targets, one place for the schema and chaos/kinds/. */
export const DEPENDENCY_SCALE_KNOB_RE = /^dependency\.([^.]+)\.scale$/;
export const CPU_DUTY_KNOB = 'cpu.duty';
/** Multiplies every kind's declared intensity (1 is the scenario as written). */
export const FACTOR_KNOB = 'factor';
/** The service knob naming a dependency's latency toxic (group 1: the dependency). */
export const SERVICE_DEPENDENCY_KNOB_RE = /^dependency\.([A-Za-z0-9_-]+)\.(latency|scale)$/;

export type CpuStressTool = 'burner' | 'stress-ng';

export interface CpuChaosSpec {
  /** Fraction of each period the stressor keeps a CPU busy, 0..1. */
  duty: number;
  /** Stressor threads (burners) or workers (stress-ng). Default: one per CPU. */
  threads?: number;
  /** Default 'burner' (worker threads); 'stress-ng' when installed. */
  tool?: CpuStressTool;
}

export interface ChaosSpec {
  /** CPU stress started for the measured phase and stopped after it. */
  cpu?: CpuChaosSpec;
}

/**
 * Breaking-point search: bisection over one chaos intensity knob until P99 crosses the
 * SLO. The same shape serves function targets (knobs below) and HTTP services (h3a's
 * knobs such as request rate or toxic latency).
 *
 * Function-target knobs: `dependency.<name>.scale` (Pareto scale in ms), `cpu.duty`
 * (0..1), `factor` (multiplies every dependency scale, error rate and the CPU duty).
 */
export interface BreakingPointSpec {
  knob: string;
  /** [lo, hi] intensities, lo < hi. */
  range: [number, number];
  /** Stop when the bracket is narrower than this, relative. Default 0.1. */
  tolerance?: number;
  /** Measured time per step. Default `'2s'`. */
  stepDuration?: Duration;
  metric?: 'p99';
  /** Wall-clock budget of the whole search (steps that would overrun it are not started). Default `'60s'`. */
  budget?: Duration;
  /** Upper bound on measured steps. Default 16. */
  maxSteps?: number;
}

// ---------------------------------------------------------------------------------------
// Resolved shapes (plain data).
// ---------------------------------------------------------------------------------------

export interface ResolvedParetoLatency {
  alpha: number;
  scaleMs: number;
  capMs: number | null;
}

export interface ResolvedFunctionDependency {
  name: string;
  latency: ResolvedParetoLatency | null;
  errorRate: number;
  timeoutMs: number | null;
  /** Whether the scenario supplies `call` (the isolate finds it in the scenario file). */
  hasCall: boolean;
}

export interface ResolvedCpuChaos {
  duty: number;
  threads: number;
  tool: CpuStressTool;
}

export interface ResolvedChaos {
  dependencies: ResolvedFunctionDependency[];
  cpu: ResolvedCpuChaos | null;
}

export interface ResolvedBreakingPoint {
  knob: string;
  range: { lo: number; hi: number };
  tolerance: number;
  stepDurationMs: number;
  metric: 'p99';
  budgetMs: number;
  maxSteps: number;
}

/** Injected-delay counts and dependency outcomes of one isolate worker, cumulative. */
export interface ChaosSnapshotWire {
  /** Encoded HDR histogram (µs) of the total injected delay per target call. */
  injected: string;
  dependencyCalls: number;
  dependencyErrors: number;
  dependencyTimeouts: number;
  /** Target calls that threw (any error, dependency errors included). */
  failedCalls: number;
}

/** Aliases of the generic breaking-point shapes (service scenarios import these names). */
export type FunctionBreakingPointSpec = BreakingPointSpec;
export type ResolvedFunctionBreakingPoint = ResolvedBreakingPoint;

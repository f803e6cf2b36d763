/**
 * What a caller passes to a scenario run and what it hears back (progress, findings,
 * breaking-point steps). Its own file, so every part of the run pipeline (function
 * targets, HTTP services, the phase runner) imports it one way.
 */
import type { Finding } from '../core/results-schema.ts';
import type { CurvePoint } from '../search/breaking-point.ts';
import type { TracePhaseOptions } from './trace-phase.ts';

/** One measured intensity of a breaking-point search. */
export interface BreakingPointStep {
  scenario: string;
  knob: string;
  point: CurvePoint;
}

export interface ScenarioProgress {
  scenario: string;
  elapsedMs: number;
  calls: number;
  callsPerSecond: number;
  p99Ms: number;
  findings: number;
  restarts: number;
}

export interface RunScenarioOptions {
  seed: number;
  /** Overrides the scenario's own duration budget. */
  durationMs?: number;
  calls?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: ScenarioProgress) => void;
  onFinding?: (finding: Finding) => void;
  /** Each measured step of a breaking-point search, as it completes (for progress output). */
  onBreakingPointStep?: (step: BreakingPointStep) => void;
  /** Working directory that paths in results and replay commands are relative to. */
  cwd?: string;
  /** How a user invokes the CLI, for replay commands. */
  cliName?: string;
  /** Trace phase (pipeline/trace-phase.ts): stacks of the worst violations; absent = no tracing. */
  trace?: TracePhaseOptions;
}

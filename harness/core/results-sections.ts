/**
 * results.json: the sections of a scenario filled by the service driver, the exploration phase,
 * the breaking-point search and chaos (results-schema.ts has the whole file).
 */
import { z } from 'zod';
import { findingStacksSchema } from './results-findings.ts';
import { countField, msField, nullableString, sloMetricSchema } from './results-slo.ts';

/** Latency figures of a distribution, ms. */
export const latencyFiguresSchema = z.object({ p50Ms: msField, p99Ms: msField, maxMs: msField });

/**
 * Where a service spent its time during the measured load phase. Requests overlap, so a sample
 * taken while any violating request was in flight counts for the violation side; the baseline
 * is the time when only non-violating requests were in flight.
 */
export const serviceStacksSchema = z.object({
  /** `bpftrace`, `v8-inspector` (in-process profiler loaded with --require) or `none`. */
  backend: z.string(),
  /** Why this backend (fallback reasons), or why there are no stacks. */
  reason: nullableString,
  /** Requests whose corrected latency exceeded this are the violation windows, ms. */
  thresholdMs: msField,
  /** Where the threshold comes from, e.g. `p99 SLO`. */
  thresholdFrom: z.string(),
  requests: z.object({ violating: countField, baseline: countField }),
  /** Stacks while violating requests were in flight, diffed against baseline time; null when no request violated or nothing was sampled. */
  violation: findingStacksSchema.nullable(),
  /** Every sample of the service's main thread over the load phase; null when nothing was sampled. */
  phase: findingStacksSchema.nullable(),
  notes: z.array(z.string()),
});
/** Where a service spent its time during the measured load phase (see serviceStacksSchema). */
export type ServiceStacks = z.infer<typeof serviceStacksSchema>;

/** Figures of an HTTP service scenario's measured load phase. Latencies in ms. */
export const serviceStatsSchema = z.object({
  /** The service's argv as started (placeholders filled). */
  command: z.array(z.string()),
  origin: z.string(),
  /** Open-loop rate asked for and achieved, req/s. */
  rate: z.number(),
  achievedRate: z.number(),
  connections: countField,
  planned: countField,
  sent: countField,
  /** Requests that received a full response (any status). */
  completed: countField,
  errors: z.object({ timeout: countField, connection: countField, status5xx: countField, status4xx: countField, other: countField }),
  /** Latency from each request's intended send time (the one the SLO is judged on). */
  corrected: latencyFiguresSchema,
  /** Latency from the actual send, as a closed-loop tool reports it: the gap to `corrected` is coordinated omission. */
  uncorrected: latencyFiguresSchema,
  /** How late the sender was against its schedule (part of the corrected latency). */
  lagP99Ms: msField,
  maxLagMs: msField,
  /** `embedded` (slo-harness's Toxiproxy-API server) or `external` (TOXIPROXY_URL). */
  proxy: z.object({ mode: z.enum(['embedded', 'external']), url: z.string() }),
  dependencies: z.array(z.object({ name: z.string(), upstream: z.string(), proxied: z.string() })),
  /** Conditions that weaken the measurement (e.g. the load generator falling behind on a busy machine). */
  warnings: z.array(z.string()).optional(),
  /** Stack samples of the service process over the measured load phase (`--trace`; harness/trace/service-trace.ts). */
  stacks: serviceStacksSchema.optional(),
});
/** Figures of an HTTP service scenario's measured load phase. Latencies in ms. */
export type ServiceStats = z.infer<typeof serviceStatsSchema>;

/** The instrumented exploration phase of a scenario (builtin with V8 coverage, or Jazzer.js). */
export const explorationSummarySchema = z.object({
  /** Engine that explored, e.g. "builtin" (V8 block coverage) or "jazzer". */
  engine: z.string(),
  durationMs: msField,
  calls: countField,
  callsPerSecond: z.number(),
  /** Inputs the exploration kept (coverage or cost), handed to the measured phase. */
  kept: countField,
  /** New inputs saved to corpora/<scenario>/interesting in this run (bounded). */
  interestingSaved: countField,
  /** Why exploration ended early or was skipped, or null. */
  note: nullableString,
});
/** The instrumented exploration phase of a scenario (builtin with V8 coverage, or Jazzer.js). */
export type ExplorationSummary = z.infer<typeof explorationSummarySchema>;

// ---------------------------------------------------------------------------------------
// Optional sections filled by the search, chaos, trace and report capabilities. Readers
// render what is present; each is optional so older files stay valid at version 1.
// ---------------------------------------------------------------------------------------

/** One measured step of a breaking-point search. Latencies in ms. */
export const intensityPointSchema = z.object({
  /** Value of the knob at this step, in `knobUnit`. */
  intensity: z.number(),
  p50Ms: msField,
  p99Ms: msField,
  /** Bounds of the P99's order-statistic confidence interval (95%). */
  p99LowerMs: msField,
  /** Null when too few samples bound the interval from above (JSON has no Infinity). */
  p99UpperMs: msField.nullable(),
  /** Successful calls measured at this step. */
  samples: countField,
  /** Calls that failed (error, timeout, reset) at this step. */
  errors: countField,
});
/** One measured step of a breaking-point search. Latencies in ms. */
export type IntensityPoint = z.infer<typeof intensityPointSchema>;

/**
 * How the search ended (the search module's own terms): `found` (a proven pass and a proven
 * fail bracket the breaking point), `below-range` (the SLO already failed at the lowest
 * intensity), `not-broken` (the SLO held up to the highest intensity tried),
 * `inconclusive` (intervals too wide to place the crossing), `budget-exhausted` (the step
 * budget, time budget or a signal stopped it).
 */
export const breakingPointStatusSchema = z.enum(['found', 'below-range', 'not-broken', 'inconclusive', 'budget-exhausted']);
/** How the search ended (see breakingPointStatusSchema). */
export type BreakingPointStatus = z.infer<typeof breakingPointStatusSchema>;

const rangeSchema = z.object({ lo: z.number(), hi: z.number() });

export const breakingPointResultSchema = z.object({
  /** The knob searched, e.g. `pareto.scaleMs`, `cpu.duty`, `load.rate`. */
  knob: z.string(),
  /** Unit of the knob's values (`ms`, `%`, `req/s`), or null when unitless. */
  knobUnit: nullableString,
  /** The SLO the search tested against. */
  slo: z.object({ metric: sloMetricSchema, thresholdMs: msField }),
  /** Every measured step, in ascending intensity. */
  curve: z.array(intensityPointSchema),
  /** Highest intensity proven to pass and lowest proven to fail (either null when not proven). */
  bracket: z.object({ passing: z.number().nullable(), failing: z.number().nullable() }),
  /** The lowest intensity whose P99 interval lies above the SLO (= bracket.failing); null when not found. */
  breakingPoint: z.number().nullable(),
  /** Where the P99 point estimates cross the SLO, interpolated; for plots and prose, not a proven bound. */
  crossingEstimate: z.number().nullable().optional(),
  status: breakingPointStatusSchema,
  /** The searched range [lo, hi] and the relative tolerance of the final bracket. */
  range: rangeSchema.optional(),
  tolerance: z.number().optional(),
  /** Intensities whose interval still straddled the SLO after re-measurement (the measurement's resolution); null when none. */
  boundary: rangeSchema.nullable().optional(),
  /** Measured steps (re-measurements included), the search's time budget and the time it took, ms. */
  steps: countField.optional(),
  budgetMs: msField.optional(),
  elapsedMs: msField.optional(),
  /** Why the search stopped early (a step's isolate failed, interrupted); absent when it did not. */
  statusReason: z.string().optional(),
});
export type BreakingPointResult = z.infer<typeof breakingPointResultSchema>;

/** Latency within one window of the measured phase. */
export const timelineWindowSchema = z.object({
  /** Window start, ms from the scenario's start. */
  tStartMs: msField,
  /** Window length in ms. */
  durationMs: msField,
  /** Calls completed in the window. */
  count: countField,
  /** P99 of the window's calls in ms; null when the window has no calls. */
  p99Ms: z.number().nullable(),
  /** Calls that failed in the window. */
  errors: countField,
});
/** Latency within one window of the measured phase. */
export type TimelineWindow = z.infer<typeof timelineWindowSchema>;

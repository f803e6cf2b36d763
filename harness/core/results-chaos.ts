/**
 * results.json: the chaos a scenario ran under (`chaos` of a scenario; results-schema.ts has
 * the whole file).
 */
import { z } from 'zod';
import { countField, latencySummarySchema, msField } from './results-slo.ts';

/** Pareto-distributed added latency: `x = scaleMs * U^(-1/alpha)`, optionally capped. */
export const paretoParamsSchema = z.object({
  scaleMs: msField,
  alpha: z.number(),
  /** Upper cap in ms, or null when uncapped. */
  capMs: z.number().nullable(),
});
/** Pareto-distributed added latency: `x = scaleMs * U^(-1/alpha)`, optionally capped. */
export type ParetoParams = z.infer<typeof paretoParamsSchema>;

/** A Toxiproxy-style toxic as applied. */
export const toxicInfoSchema = z.object({
  name: z.string(),
  /** Toxiproxy toxic type: `latency`, `bandwidth`, `timeout`, `reset_peer`, `slow_close`, `limit_data`, `pareto`... */
  type: z.string(),
  stream: z.enum(['upstream', 'downstream']),
  /** Probability in [0, 1] that a connection gets this toxic. */
  toxicity: z.number(),
  /** The toxic's attributes as sent to the proxy (numbers in the toxic's own units, e.g. latency ms). */
  attributes: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  /** The proxy the toxic sits on. */
  proxy: z.string(),
});
/** A Toxiproxy-style toxic as applied. */
export type ToxicInfo = z.infer<typeof toxicInfoSchema>;

export const cpuStressInfoSchema = z.object({
  /** `worker` (in-process burner threads) or `stress-ng`. */
  backend: z.string(),
  workers: z.number(),
  /** Fraction of each period a burner spins, in [0, 1]. */
  duty: z.number(),
  /** Human description, e.g. "2 worker burners at 75% duty". */
  description: z.string(),
});
export type CpuStressInfo = z.infer<typeof cpuStressInfoSchema>;

/** An interval during which a fault was active, relative to the scenario's start. */
export const faultWindowSchema = z.object({ startMs: msField, endMs: msField, label: z.string() });
/** An interval during which a fault was active, relative to the scenario's start. */
export type FaultWindow = z.infer<typeof faultWindowSchema>;

export const dependencyChaosInfoSchema = z.object({
  name: z.string(),
  /** Injected latency, or null when the dependency answers at once. */
  pareto: paretoParamsSchema.nullable(),
  errorRate: z.number(),
  timeoutMs: msField.nullable(),
});
export type DependencyChaosInfo = z.infer<typeof dependencyChaosInfoSchema>;

export const injectedDelaySummarySchema = z.object({
  /** Distribution of the total injected delay per target call (never summarise it by a mean). */
  perCall: latencySummarySchema,
  dependencyCalls: countField,
  dependencyErrors: countField,
  dependencyTimeouts: countField,
  /** Target calls that threw (any error). */
  failedCalls: countField,
});
export type InjectedDelaySummary = z.infer<typeof injectedDelaySummarySchema>;

export const chaosInForceSchema = z.object({
  /** Dependency latency distribution, or null when none. */
  pareto: paretoParamsSchema.nullable(),
  toxics: z.array(toxicInfoSchema),
  /** CPU stress, or null when none. */
  cpuStress: cpuStressInfoSchema.nullable(),
  faultWindows: z.array(faultWindowSchema),
  /** Function-target dependencies with injected latency and faults (`ctx.dependency`); absent when none. */
  dependencies: z.array(dependencyChaosInfoSchema).optional(),
  /** Total injected delay per target call (percentiles beside the call latency) and dependency outcomes. */
  injected: injectedDelaySummarySchema.optional(),
  /** How the chaos was applied, when a reader needs to know (e.g. a real Toxiproxy approximating Pareto latency). */
  note: z.string().optional(),
});
export type ChaosInForce = z.infer<typeof chaosInForceSchema>;

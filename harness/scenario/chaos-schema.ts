/**
 * Validation of the chaos fields (`dependencies`, `chaos`, `breakingPoint`) and their
 * normalisation into the resolved shapes. `breakingPointSchema` is generic over the knob
 * so HTTP-service scenarios reuse it with their own knobs; `checkFunctionChaos` adds the
 * cross-field rules of function targets (the knob names a declared dependency, the SLO
 * has a P99...). Problems are reported as ScenarioIssue-shaped objects with a fix.
 */
import os from 'node:os';
import { z } from 'zod';
import { durationMsOr, durationSchema, MAX_DURATION_MS } from '../core/duration.ts';
import type { ScenarioIssue } from './issues.ts';
import { paretoFromPercentiles } from './pareto-fit.ts';
import type {
  BreakingPointSpec,
  ChaosSpec,
  FunctionDependencySpec,
  ResolvedBreakingPoint,
  ResolvedChaos,
  ResolvedFunctionDependency,
  ResolvedParetoLatency,
} from './chaos-types.ts';
import { CPU_DUTY_KNOB, DEPENDENCY_SCALE_KNOB_RE, FACTOR_KNOB } from './chaos-types.ts';

const durationField = durationSchema;

const DEPENDENCY_NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export const dependencyLatencySchema = z
  .object({
    alpha: z.number().positive().max(100).optional(),
    scale: durationField.optional(),
    p50: durationField.optional(),
    p99: durationField.optional(),
    cap: durationField.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const pareto = v.alpha !== undefined || v.scale !== undefined;
    const percentiles = v.p50 !== undefined || v.p99 !== undefined;
    if (pareto && percentiles) {
      ctx.addIssue({ code: 'custom', message: 'give either { alpha, scale } or { p50, p99 }, not both' });
    } else if (pareto && (v.alpha === undefined || v.scale === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a Pareto latency needs both alpha and scale' });
    } else if (percentiles && (v.p50 === undefined || v.p99 === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a percentile latency needs both p50 and p99' });
    } else if (!pareto && !percentiles) {
      ctx.addIssue({ code: 'custom', message: 'no distribution given: use { alpha, scale } or { p50, p99 }' });
    } else if (percentiles && !(ms(v.p99) > ms(v.p50) && ms(v.p50) > 0)) {
      ctx.addIssue({ code: 'custom', message: `p99 must exceed p50 and p50 must be > 0, got p50 ${String(v.p50)}, p99 ${String(v.p99)}` });
    } else if (pareto && !(ms(v.scale) > 0)) {
      ctx.addIssue({ code: 'custom', message: 'scale must be a duration > 0' });
    }
  });

export const dependencySchema = z
  .object({
    latency: dependencyLatencySchema.optional(),
    errorRate: z.number().min(0).max(1).optional(),
    timeout: durationField.optional(),
    call: z.custom<unknown>((v) => typeof v === 'function', { message: 'expected a function (request) => value' }).optional(),
  })
  .strict();

export const dependenciesSchema = z.record(z.string(), dependencySchema).superRefine((record, ctx) => {
  for (const name of Object.keys(record)) {
    if (!DEPENDENCY_NAME_RE.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `dependency name ${JSON.stringify(name)}: expected letters, digits, "_" or "-", starting with a letter or "_"` });
    }
  }
});

export const cpuChaosSchema = z
  .object({
    duty: z.number().min(0).max(1),
    threads: z.number().int().min(1).max(256).optional(),
    tool: z.enum(['burner', 'stress-ng']).optional(),
  })
  .strict();

export const chaosSchema = z.object({ cpu: cpuChaosSchema.optional() }).strict();

/** Generic over the knob: function targets and HTTP services both use this shape. */
export const breakingPointSchema = z
  .object({
    knob: z.string().min(1),
    range: z
      .tuple([z.number().nonnegative(), z.number().positive()])
      .refine(([lo, hi]) => Number.isFinite(hi) && lo < hi, { message: 'range must be [lo, hi] with 0 <= lo < hi' }),
    tolerance: z.number().positive().max(1).optional(),
    stepDuration: durationField.optional(),
    metric: z.literal('p99').optional(),
    budget: durationField.optional(),
    maxSteps: z.number().int().min(2).max(200).optional(),
  })
  .strict();

/** Fields to spread into a scenario's zod object. */
export const functionChaosFields = {
  dependencies: dependenciesSchema.optional(),
  chaos: chaosSchema.optional(),
  breakingPoint: breakingPointSchema.optional(),
};

/** Fix hints by field path (first matching prefix wins), merged into schema.ts's table. */
export const CHAOS_FIX_HINTS: Array<[RegExp, string]> = [
  [/^dependencies\.[^.]+\.latency/, 'latency is { alpha: 1.16, scale: "2ms", cap?: "1s" } or { p50: "5ms", p99: "200ms", cap?: "1s" }'],
  [/^dependencies\.[^.]+\.errorRate$/, 'use a probability between 0 and 1, e.g. errorRate: 0.01'],
  [/^dependencies\.[^.]+\.timeout$/, 'use a duration such as "100ms"'],
  [/^dependencies\.[^.]+\.call$/, 'pass a function, e.g. call: (request) => ({ allowed: true })'],
  [/^dependencies/, 'dependencies is { <name>: { latency?, errorRate?, timeout?, call? } }; call it as ctx.dependency("<name>", request)'],
  [/^chaos\.cpu/, 'chaos.cpu is { duty: 0..1, threads?: 2, tool?: "burner" | "stress-ng" }'],
  [/^chaos/, 'chaos is { cpu?: { duty, threads?, tool? } }'],
  [/^breakingPoint\.knob$/, 'use "dependency.<name>.scale", "cpu.duty" or "factor"'],
  [/^breakingPoint\.range$/, 'use [lo, hi] with 0 <= lo < hi, e.g. range: [0.1, 50]'],
  [/^breakingPoint\.tolerance$/, 'use a relative tolerance in (0, 1], e.g. 0.1'],
  [/^breakingPoint/, 'breakingPoint is { knob, range: [lo, hi], tolerance?: 0.1, stepDuration?: "2s", budget?: "60s", maxSteps?: 16 }'],
];

/** Milliseconds of a duration; NaN when absent or invalid, so every comparison with it fails. */
const ms = (value: string | undefined): number => durationMsOr(value, NaN);

/** A cross-field problem of the chaos fields (a ScenarioIssue). */
export type ChaosIssue = ScenarioIssue;

/** The parsed (zod) chaos fields of a function scenario. */
export interface FunctionChaosFields {
  dependencies?: z.infer<typeof dependenciesSchema> | undefined;
  chaos?: z.infer<typeof chaosSchema> | undefined;
  breakingPoint?: z.infer<typeof breakingPointSchema> | undefined;
  slo: { p99?: string | undefined };
}

/** The largest multiplier of the `factor` knob: beyond it every delay is past any timeout anyway. */
const MAX_FACTOR = 1_000_000;

/** Rules that need more than one field: run after the zod parse succeeded. */
export function checkFunctionChaos(spec: FunctionChaosFields): ChaosIssue[] {
  const issues: ChaosIssue[] = [];
  const bp = spec.breakingPoint;
  if (!bp) return issues;
  if (spec.slo.p99 === undefined) {
    issues.push({ field: 'slo.p99', problem: 'breakingPoint searches where P99 crosses the SLO, but the SLO has no p99', fix: 'add a P99 threshold, e.g. slo: { p99: "20ms" }' });
  }
  const depKnob = DEPENDENCY_SCALE_KNOB_RE.exec(bp.knob);
  const knobFix = CHAOS_FIX_HINTS.find(([re]) => re.test('breakingPoint.knob'))?.[1] ?? '';
  if ((depKnob || bp.knob === FACTOR_KNOB) && bp.range[1] > (depKnob ? MAX_DURATION_MS : MAX_FACTOR)) {
    const [limit, unit] = depKnob ? [MAX_DURATION_MS, 'ms (1 day)'] : [MAX_FACTOR, 'times the declared chaos'];
    issues.push({ field: 'breakingPoint.range', problem: `the range goes up to ${bp.range[1]}, past ${limit} ${unit}`, fix: `keep the upper end at or below ${limit}, e.g. range: [0.1, 50]` });
  }
  if (depKnob) {
    const name = depKnob[1] as string;
    const dep = spec.dependencies?.[name];
    if (!dep) {
      issues.push({ field: 'breakingPoint.knob', problem: `knob names dependency ${JSON.stringify(name)}, which is not declared`, fix: `declare it: dependencies: { ${name}: { latency: { alpha: 1.16, scale: "1ms" } } }` });
    } else if (!dep.latency) {
      issues.push({ field: 'breakingPoint.knob', problem: `dependency ${JSON.stringify(name)} has no latency to scale`, fix: `give it a latency, e.g. latency: { alpha: 1.16, scale: "1ms" }` });
    }
  } else if (bp.knob === CPU_DUTY_KNOB) {
    if (bp.range[1] > 1) issues.push({ field: 'breakingPoint.range', problem: `cpu.duty is a fraction, but the range goes up to ${bp.range[1]}`, fix: 'use a range within [0, 1], e.g. range: [0, 1]' });
  } else if (bp.knob === FACTOR_KNOB) {
    const any = Object.keys(spec.dependencies ?? {}).length > 0 || spec.chaos?.cpu !== undefined;
    if (!any) issues.push({ field: 'breakingPoint.knob', problem: 'knob "factor" scales the scenario\'s chaos, but it declares none', fix: 'declare dependencies with latency, or chaos.cpu' });
  } else {
    issues.push({ field: 'breakingPoint.knob', problem: `unknown knob ${JSON.stringify(bp.knob)} for a function target`, fix: knobFix });
  }
  return issues;
}

function resolveLatency(latency: z.infer<typeof dependencyLatencySchema>): ResolvedParetoLatency {
  const capMs = latency.cap === undefined ? null : ms(latency.cap);
  const params =
    latency.alpha !== undefined
      ? { alpha: latency.alpha, scale: ms(latency.scale) }
      : paretoFromPercentiles({ p50Ms: ms(latency.p50), p99Ms: ms(latency.p99) });
  // A cap below the scale would make every draw the cap: raise it to the scale.
  return { alpha: params.alpha, scaleMs: params.scale, capMs: capMs === null ? null : Math.max(capMs, params.scale) };
}

/** The resolved chaos of a validated scenario, or undefined when it declares none. */
export function resolveFunctionChaos(spec: FunctionChaosFields, availableCpus: number): ResolvedChaos | undefined {
  const deps = spec.dependencies ?? {};
  if (Object.keys(deps).length === 0 && !spec.chaos?.cpu) return undefined;
  const dependencies: ResolvedFunctionDependency[] = Object.entries(deps).map(([name, dep]) => ({
    name,
    latency: dep.latency ? resolveLatency(dep.latency) : null,
    errorRate: dep.errorRate ?? 0,
    timeoutMs: dep.timeout === undefined ? null : ms(dep.timeout),
    hasCall: typeof dep.call === 'function',
  }));
  const cpu = spec.chaos?.cpu;
  return {
    dependencies,
    cpu: cpu ? { duty: cpu.duty, threads: cpu.threads ?? Math.max(1, availableCpus), tool: cpu.tool ?? 'burner' } : null,
  };
}

export const BREAKING_POINT_DEFAULTS = { tolerance: 0.1, stepDurationMs: 2000, budgetMs: 60_000, maxSteps: 16 } as const;

export function resolveBreakingPoint(bp: BreakingPointSpec | z.infer<typeof breakingPointSchema> | undefined): ResolvedBreakingPoint | undefined {
  if (!bp) return undefined;
  const step = bp.stepDuration === undefined ? NaN : ms(bp.stepDuration);
  const budget = bp.budget === undefined ? NaN : ms(bp.budget);
  return {
    knob: bp.knob,
    range: { lo: bp.range[0], hi: bp.range[1] },
    tolerance: bp.tolerance ?? BREAKING_POINT_DEFAULTS.tolerance,
    stepDurationMs: step > 0 ? step : BREAKING_POINT_DEFAULTS.stepDurationMs,
    metric: 'p99',
    budgetMs: budget > 0 ? budget : BREAKING_POINT_DEFAULTS.budgetMs,
    maxSteps: bp.maxSteps ?? BREAKING_POINT_DEFAULTS.maxSteps,
  };
}

/** Adds the resolved chaos and breaking-point fields to a normalised function scenario. */
export function withFunctionChaos<T extends object>(
  scenario: T,
  spec: FunctionChaosFields,
  availableCpus: number = os.availableParallelism(),
): T & { chaos?: ResolvedChaos; breakingPoint?: ResolvedBreakingPoint } {
  const chaos = resolveFunctionChaos(spec, availableCpus);
  const breakingPoint = resolveBreakingPoint(spec.breakingPoint);
  return { ...scenario, ...(chaos ? { chaos } : {}), ...(breakingPoint ? { breakingPoint } : {}) };
}

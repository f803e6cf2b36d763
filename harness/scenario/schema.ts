/**
 * Validation at the edge: a scenario file's default export is checked here and turned
 * into a ResolvedScenario. Every error names the file, the field path, what was expected
 * and how to fix it, because the reader is an SRE looking at a CI log.
 */
import { ENGINE_NAMES, engineNamesHint } from './base-types.ts';
import path from 'node:path';
import { z } from 'zod';
import { durationMsOr, durationSchema } from '../core/duration.ts';
import { MAX_CALL_RATE } from '../measure/call-schedule.ts';
import { CHAOS_FIX_HINTS, checkFunctionChaos, functionChaosFields, withFunctionChaos } from './chaos-schema.ts';
import { checkServiceFields, normaliseServiceFields, SERVICE_FIX_HINTS, serviceScenarioFields } from './service-schema.ts';
import { ScenarioError, type ScenarioIssue } from './issues.ts';
import type { ResolvedServiceScenario } from './service-types.ts';
import {
  METRIC_QUANTILE,
  SLO_METRICS,
  type EngineName,
  type ResolvedFunctionScenario,
  type ResolvedScenario,
  type SloThreshold,
} from './types.ts';

export { ScenarioError, type ScenarioIssue } from './issues.ts';

// One duration rule for every field (a unit is required; 1 us .. 1 day): 30, NaN or 1e300 is
// answered with that rule's message, not zod's "Invalid input".
const duration = durationSchema;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const sloSchema = z
  .object({
    p50: duration.optional(),
    p90: duration.optional(),
    p99: duration.optional(),
    p999: duration.optional(),
    max: duration.optional(),
    perCall: duration.optional(),
    rate: z
      .number({ message: 'expected a number of calls per second' })
      .refine((r) => Number.isFinite(r) && r > 0 && r <= MAX_CALL_RATE, { message: `rate must be > 0 and <= ${MAX_CALL_RATE} calls per second` })
      .optional(),
  })
  .strict()
  .refine((slo) => SLO_METRICS.some((m) => slo[m] !== undefined), {
    message: 'no threshold given: an SLO needs at least one of p50, p90, p99, p999, max',
  });

const corpusFields = {
  maxLength: z.number().int().positive().max(16 * 1024 * 1024).optional(),
  dictionary: z.array(z.string()).optional(),
  corpus: z.string().min(1).optional(),
  coverageInclude: z.array(z.string().min(1)).optional(),
};

const isArbitrary = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && typeof (v as { generate?: unknown }).generate === 'function' &&
  typeof (v as { shrink?: unknown }).shrink === 'function';

const inputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bytes'), ...corpusFields }).strict(),
  z.object({ type: z.literal('string'), ...corpusFields }).strict(),
  z
    .object({
      type: z.literal('arbitrary'),
      arbitrary: z.custom<unknown>(isArbitrary, { message: 'expected a fast-check arbitrary (e.g. fc.json())' }),
      maxLength: corpusFields.maxLength,
      corpus: corpusFields.corpus,
      coverageInclude: corpusFields.coverageInclude,
    })
    .strict(),
]);

const scenarioSchema = z
  .object({
    name: z.string().regex(NAME_RE, 'expected 1-100 characters of letters, digits, ".", "_" or "-", starting with a letter or digit'),
    description: z.string().optional(),
    target: z.custom<unknown>((v) => typeof v === 'function', { message: 'expected a function (input, ctx) => result' }),
    input: inputSchema,
    slo: sloSchema,
    timeout: duration.optional(),
    budget: z
      .object({ duration: duration.optional(), calls: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional() })
      .strict()
      .optional(),
    seed: z.number().int().nonnegative().max(0xffffffff).optional(),
    engine: z.enum(ENGINE_NAMES).optional(),
    memoryLimitMb: z.number().int().min(32).max(16384).optional(),
    expectedError: z.custom<unknown>((v) => typeof v === 'function', { message: 'expected a function (error) => boolean' }).optional(),
    ...functionChaosFields,
  })
  .strict();

type ParsedScenario = z.infer<typeof scenarioSchema>;

/** An HTTP service scenario: `service` (+ dependencies, breakingPoint) instead of `target`. */
const serviceScenarioSchema = z
  .object({
    name: scenarioSchema.shape.name,
    description: z.string().optional(),
    input: inputSchema,
    slo: sloSchema,
    timeout: duration.optional(),
    budget: scenarioSchema.shape.budget,
    seed: scenarioSchema.shape.seed,
    engine: scenarioSchema.shape.engine,
    ...serviceScenarioFields,
  })
  .strict();

const isServiceEntry = (entry: unknown): boolean =>
  typeof entry === 'object' && entry !== null && 'service' in entry && !('target' in entry);

/** A table of fix hints by field path: the first matching pattern wins. */
type FixHints = ReadonlyArray<[RegExp, string]>;

/** How to fix a problem, by the field it is in. The first matching prefix wins. */
const FIX_HINTS: FixHints = [
  [/^name$/, 'give the scenario a short file-name safe name, e.g. name: "yaml-parse"'],
  [/^target$/, 'set target to the function under test, e.g. target: (input) => parse(input)'],
  [/^input\.type$/, 'set input.type to "bytes", "string" or "arbitrary"'],
  [/^input\.arbitrary$/, 'import fc from "fast-check" and pass an arbitrary, e.g. arbitrary: fc.json()'],
  [/^input\.maxLength$/, 'use a positive whole number of bytes, e.g. maxLength: 4096'],
  [/^input/, 'input is { type: "bytes" | "string", maxLength?, dictionary?, corpus? } or { type: "arbitrary", arbitrary }'],
  [/^slo$/, 'add a threshold, e.g. slo: { p99: "5ms" }'],
  [/^slo\.rate$/, 'use a number of calls per second above 0 and at most 1000000, e.g. slo: { p99: "1ms", rate: 2000 }, or remove rate to run calls back to back'],
  [/^slo\./, 'thresholds are durations such as "500us" or "5ms" (a unit is required); known keys: p50, p90, p99, p999, max, perCall'],
  [/^timeout$/, 'use a duration such as "2s"'],
  [/^budget/, 'budget is { duration?: "10s", calls?: 100000 }'],
  [/^seed$/, 'use a whole number between 0 and 4294967295'],
  [/^engine$/, engineNamesHint()],
  [/^memoryLimitMb$/, 'use a whole number of MiB between 32 and 16384'],
  [/^expectedError$/, 'pass a predicate, e.g. expectedError: (e) => e instanceof SyntaxError'],
];

const FUNCTION_HINTS: FixHints[] = [FIX_HINTS, CHAOS_FIX_HINTS];
/** Service fields get the service hints first (a function scenario's `dependencies` means something else). */
const SERVICE_HINTS: FixHints[] = [SERVICE_FIX_HINTS, ...FUNCTION_HINTS];

function fixFor(field: string, code: string, tables: FixHints[]): string {
  if (code === 'unrecognized_keys') return 'remove the field or check its spelling against the ScenarioSpec type';
  const bare = field.replace(/^\[\d+\]\.?/, '');
  for (const table of tables) for (const [re, hint] of table) if (re.test(bare)) return hint;
  return 'see the ScenarioSpec type exported by slo-harness';
}

/** The fix a check attached to its issue (a duration without a unit says how to write it), if any. */
function attachedFix(issue: z.core.$ZodIssue): string | undefined {
  const fix: unknown = issue.code === 'custom' ? issue.params?.['fix'] : undefined;
  return typeof fix === 'string' ? fix : undefined;
}

function toIssues(error: z.ZodError, prefix: string, hints: FixHints[]): ScenarioIssue[] {
  return error.issues.map((issue) => {
    const fieldPath = issue.path.map(String).join('.');
    const field = [prefix, fieldPath].filter(Boolean).join('.');
    const missing = /^Invalid input: expected (\w+), received undefined$/.exec(issue.message);
    const problem = missing ? `required field is missing (expected ${missing[1]})` : issue.message;
    return { field, problem, fix: attachedFix(issue) ?? fixFor(field, issue.code, hints) };
  });
}

export interface ResolveOptions {
  /** Absolute path of the scenario file. */
  file: string;
  /** Folder holding `corpora/`; defaults to the parent of the scenario file's folder. */
  projectRoot?: string;
}

/**
 * Validates a scenario module's default export (a scenario or an array of them) and
 * returns the resolved scenarios. Throws ScenarioError listing every problem found.
 */
export function resolveScenarios(exported: unknown, opts: ResolveOptions): ResolvedScenario[] {
  if (exported === undefined) {
    throw new ScenarioError(opts.file, [
      { field: 'default export', problem: 'the file has no default export', fix: 'end the file with `export default defineScenario({ ... })`' },
    ]);
  }
  const list = Array.isArray(exported) ? exported : [exported];
  const issues: ScenarioIssue[] = [];
  const resolved: ResolvedScenario[] = [];
  list.forEach((entry, index) => {
    const prefix = Array.isArray(exported) ? `[${index}]` : '';
    if (isServiceEntry(entry)) {
      const rateIssue = serviceSloRateIssue(entry, prefix);
      if (rateIssue) return void issues.push(rateIssue);
      const service = serviceScenarioSchema.safeParse(entry);
      if (!service.success) return void issues.push(...toIssues(service.error, prefix, SERVICE_HINTS));
      const crossIssues = checkServiceFields(service.data, prefix);
      if (crossIssues.length > 0) return void issues.push(...crossIssues);
      resolved.push(normaliseService(service.data, index, opts));
      return;
    }
    const parsed = scenarioSchema.safeParse(entry);
    if (!parsed.success) {
      issues.push(...toIssues(parsed.error, prefix, FUNCTION_HINTS));
      return;
    }
    const chaosIssues = checkFunctionChaos(parsed.data).map((i) => ({ ...i, field: [prefix, i.field].filter(Boolean).join('.') }));
    if (chaosIssues.length > 0) return void issues.push(...chaosIssues);
    resolved.push(withFunctionChaos(normalise(parsed.data, index, opts), parsed.data));
  });
  const names = new Set<string>();
  for (const s of resolved) {
    if (names.has(s.name)) {
      issues.push({ field: 'name', problem: `two scenarios in this file are named ${JSON.stringify(s.name)}`, fix: 'give each scenario its own name' });
    }
    names.add(s.name);
  }
  if (issues.length > 0) throw new ScenarioError(opts.file, issues);
  return resolved;
}

const ms = durationMsOr;

function normalise(spec: Omit<ParsedScenario, keyof typeof functionChaosFields>, index: number, opts: ResolveOptions): ResolvedFunctionScenario {
  const thresholds: SloThreshold[] = SLO_METRICS.filter((m) => spec.slo[m] !== undefined).map((metric) => ({
    metric,
    thresholdMs: ms(spec.slo[metric], 0),
  }));
  const largest = Math.max(...thresholds.filter((t) => METRIC_QUANTILE[t.metric] < 1).map((t) => t.thresholdMs), 0);
  const maxThreshold = thresholds.find((t) => t.metric === 'max')?.thresholdMs;
  const timeoutMs = ms(spec.timeout, 2000);
  const defaultPerCall = maxThreshold ?? (largest > 0 ? largest * 10 : timeoutMs);
  const perCallMs = Math.min(ms(spec.slo.perCall, defaultPerCall), timeoutMs);
  const root = opts.projectRoot ?? path.dirname(path.dirname(opts.file));
  const corpus = spec.input.corpus;
  const corpusDir = corpus ? path.resolve(path.dirname(opts.file), corpus) : path.join(root, 'corpora', spec.name);
  const engine: EngineName = spec.engine ?? 'builtin';
  return {
    kind: 'function',
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    file: opts.file,
    index,
    input: {
      type: spec.input.type,
      maxLength: spec.input.maxLength ?? (spec.input.type === 'arbitrary' ? 65536 : 4096),
      dictionary: spec.input.type === 'arbitrary' ? [] : (spec.input.dictionary ?? []),
      corpusDir,
      ...(spec.input.coverageInclude ? { coverageInclude: spec.input.coverageInclude } : {}),
    },
    slo: { thresholds, perCallMs, ...(spec.slo.rate !== undefined ? { rate: spec.slo.rate } : {}) },
    timeoutMs,
    budget: { durationMs: ms(spec.budget?.duration, 10_000), calls: spec.budget?.calls ?? null },
    seed: spec.seed ?? null,
    engine,
    memoryLimitMb: spec.memoryLimitMb ?? 512,
  };
}

/** A service scenario: the shared fields normalised as for functions, plus the service's own. */
function normaliseService(spec: z.infer<typeof serviceScenarioSchema>, index: number, opts: ResolveOptions): ResolvedServiceScenario {
  const shared = { name: spec.name, description: spec.description, input: spec.input, slo: spec.slo, timeout: spec.timeout, budget: spec.budget, seed: spec.seed, engine: spec.engine };
  const { kind: _kind, ...base } = normalise({ ...shared, target: undefined }, index, opts);
  const budgetMs = spec.budget?.duration !== undefined ? ms(spec.budget.duration, 5_000) : undefined;
  const fields = normaliseServiceFields(spec, budgetMs);
  const arbitrary = spec.input.type === 'arbitrary' ? spec.input.arbitrary : null;
  return { ...base, kind: 'service', budget: { ...base.budget, durationMs: fields.service.durationMs }, ...fields, arbitrary };
}

/** `slo.rate` paces function calls; a service's request rate is `service.rate`. */
function serviceSloRateIssue(entry: unknown, prefix: string): ScenarioIssue | null {
  const slo = (entry as { slo?: unknown }).slo;
  if (typeof slo !== 'object' || slo === null || !('rate' in slo)) return null;
  return {
    field: [prefix, 'slo.rate'].filter(Boolean).join('.'),
    problem: 'slo.rate paces function targets; a service scenario sends requests at service.rate',
    fix: 'remove slo.rate and set service.rate, e.g. service: { ..., rate: 200 }',
  };
}

/**
 * Validation of the service-only fields of a scenario (`service`, `dependencies`,
 * `breakingPoint`). schema.ts owns the shared fields and the error formatting; this file
 * supplies the zod shapes, the fix hints and the cross-field checks (placeholders naming
 * unknown dependencies, knobs naming unknown toxics), then normalises to plain values.
 */
import { SERVICE_DEPENDENCY_KNOB_RE } from './chaos-types.ts';
import { z } from 'zod';
import { durationMsOr, durationSchema, MAX_DURATION_MS } from '../core/duration.ts';
import type { ScenarioIssue } from './issues.ts';
import { breakingPointSchema, resolveBreakingPoint } from './chaos-schema.ts';
import { referencedDependencies, unknownPlaceholders } from './placeholders.ts';
import { ApiError } from './toxic-error.ts';
import { parseToxicCreate } from './toxic-spec.ts';
import { TOXIC_TYPES } from './toxic-types.ts';
import type {
  ResolvedServiceBreakingPoint,
  ResolvedServiceDependency,
  ResolvedService,
  ResolvedServiceNetwork,
  ResolvedToxic,
  ServiceKnob,
  ServiceRequest,
} from './service-types.ts';

const duration = durationSchema;

const argv = z.array(z.string()).min(1, 'expected a non-empty argv array such as ["{node}", "server.mjs", "--port", "{port}"]');
const env = z.record(z.string(), z.string());
const readyProbe = z.object({ path: z.string().startsWith('/', 'expected a path starting with "/"'), timeout: duration.optional() }).strict();
/** Requests per second: the most an open-loop client on one machine could mean. */
const MAX_RATE = 1_000_000;
const HOST_PORT_RE = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const DEP_NAME_RE = /^[A-Za-z0-9_-]{1,40}$/;

const toxic = z
  .object({
    name: z.string().min(1).optional(),
    type: z.enum(TOXIC_TYPES),
    stream: z.enum(['upstream', 'downstream']).optional(),
    toxicity: z.number().min(0).max(1).optional(),
    attributes: z.record(z.string(), z.union([z.number(), z.string()])),
  })
  .strict();

/** One object (not a union) so that a problem deep inside is reported at its own field. */
const dependency = z
  .object({
    command: argv.optional(),
    env: env.optional(),
    ready: readyProbe.optional(),
    address: z.string().regex(HOST_PORT_RE, 'expected "host:port"').optional(),
    toxics: z.array(toxic).optional(),
  })
  .strict()
  .superRefine((dep, ctx) => {
    if ((dep.command === undefined) === (dep.address === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either command (the harness starts it) or address (already running), not both or neither' });
    } else if (dep.address !== undefined && (dep.env !== undefined || dep.ready !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'env and ready apply to a started dependency (command), not to an address' });
    }
  });

const service = z
  .object({
    command: argv,
    env: env.optional(),
    ready: readyProbe,
    request: z.custom<(input: unknown) => ServiceRequest>((v) => typeof v === 'function', { message: 'expected a function (input) => ({ method, path, headers?, body? })' }),
    rate: z.number().positive().max(MAX_RATE),
    connections: z.number().int().positive().max(10_000).optional(),
    duration: duration.optional(),
  })
  .strict();

const network = z.object({ allowNonLoopbackListen: z.boolean().optional() }).strict();

/** The zod shape of the service-only fields; schema.ts merges it with the shared fields. */
export const serviceScenarioFields = {
  service,
  dependencies: z.record(z.string().regex(DEP_NAME_RE, 'dependency names are 1-40 letters, digits, "_" or "-"'), dependency).optional(),
  breakingPoint: breakingPointSchema.optional(),
  network: network.optional(),
};

type ServiceFields = z.infer<z.ZodObject<typeof serviceScenarioFields>>;

/** Fix hints for the service fields (first matching field prefix wins). */
export const SERVICE_FIX_HINTS: Array<[RegExp, string]> = [
  [/^service$/, 'a service scenario needs service: { command, ready: { path }, request, rate }'],
  [/^service\.command/, 'give an argv array, e.g. command: ["{node}", "services/authz/server.mjs", "--port", "{port}"] (placeholders: {port}, {node}, {dep.<name>}; never a shell string)'],
  [/^service\.ready/, 'ready is { path: "/healthz", timeout?: "10s" }'],
  [/^service\.request$/, 'pass a request builder, e.g. request: (input) => ({ method: "POST", path: "/authorize", body: JSON.stringify(input) })'],
  [/^service\.rate$/, 'use a positive number of requests per second, e.g. rate: 200'],
  [/^service\.connections$/, 'use a positive whole number of keep-alive connections, e.g. connections: 10'],
  [/^service\.duration$/, 'use a duration such as "5s"'],
  [/^service\.env/, 'env is an object of string values'],
  [/^dependencies\.[^.]+\.toxics/, 'toxics are Toxiproxy toxics: { type: "latency", stream?: "downstream", toxicity?: 1, attributes: { latency: 20, jitter: 5 } } (Pareto: attributes { distribution: "pareto", alpha: 1.5, scale: 2, cap: 500 })'],
  [/^dependencies/, 'each dependency is { command: [...argv with {port}], ready?, toxics? } or { address: "host:port", toxics? }'],
  [/^network/, 'network is { allowNonLoopbackListen?: boolean } (default false: the chaos proxy only listens on loopback)'],
  [/^breakingPoint\.knob$/, 'for a service use "rate" or "dependency.<name>.latency" where <name> has a latency toxic'],
  [/^breakingPoint\.range$/, 'give [lo, hi] with 0 <= lo < hi, e.g. range: [0.5, 40]'],
  [/^breakingPoint/, 'breakingPoint is { knob, range: [lo, hi], tolerance?: 0.1, stepDuration?: "2s", budget?: "60s", maxSteps?: 16 }'],
];

const ms = durationMsOr;


/** The service knob a breakingPoint.knob names, or null when it names none. */
export function parseServiceKnob(knob: string): ServiceKnob | null {
  if (knob === 'rate') return { kind: 'rate' };
  const match = SERVICE_DEPENDENCY_KNOB_RE.exec(knob);
  return match ? { kind: 'dependency-latency', dependency: match[1] as string } : null;
}

/** Cross-field problems zod cannot see: unknown placeholders and dependencies, knobs without a toxic. */
export function checkServiceFields(spec: ServiceFields & { slo: { p99?: unknown } }, prefix: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const at = (field: string): string => [prefix, field].filter(Boolean).join('.');
  const deps = spec.dependencies ?? {};
  const checkArgv = (command: readonly string[], field: string, allowDeps: boolean): void => {
    for (const bad of unknownPlaceholders(command)) {
      issues.push({ field: at(field), problem: `unknown placeholder ${bad}`, fix: 'placeholders are {port}, {node} and {dep.<name>}' });
    }
    for (const name of referencedDependencies(command)) {
      if (!allowDeps || !(name in deps)) {
        issues.push({ field: at(field), problem: `{dep.${name}} names no dependency of this scenario`, fix: `declare dependencies: { ${name}: { command: [...] } } or fix the name` });
      }
    }
  };
  checkArgv(spec.service.command, 'service.command', true);
  if (!spec.service.command.some((a) => a.includes('{port}'))) {
    issues.push({ field: at('service.command'), problem: 'the argv never passes {port}: the harness cannot tell the service where to listen', fix: 'add "{port}" to the argv, e.g. "--port", "{port}"' });
  }
  for (const [name, dep] of Object.entries(deps)) {
    if (dep.command) checkArgv(dep.command, `dependencies.${name}.command`, false);
    issues.push(...toxicIssues(dep.toxics ?? [], at(`dependencies.${name}.toxics`)));
  }
  const bp = spec.breakingPoint;
  if (bp) {
    const knob = parseServiceKnob(bp.knob);
    if (spec.slo.p99 === undefined) {
      issues.push({ field: at('slo.p99'), problem: 'breakingPoint searches where P99 crosses the SLO, but the SLO has no p99', fix: 'add a P99 threshold, e.g. slo: { p99: "50ms" }' });
    }
    if (knob?.kind === 'rate' && !(bp.range[0] > 0)) {
      issues.push({ field: at('breakingPoint.range'), problem: 'a request rate of 0 sends nothing', fix: 'start the range above 0, e.g. range: [50, 2000]' });
    }
    const limit = knob?.kind === 'rate' ? [MAX_RATE, 'requests per second'] as const : knob ? [MAX_DURATION_MS, 'ms (1 day)'] as const : null;
    if (limit && bp.range[1] > limit[0]) {
      issues.push({ field: at('breakingPoint.range'), problem: `the range goes up to ${bp.range[1]}, past ${limit[0]} ${limit[1]}`, fix: `keep the upper end at or below ${limit[0]}, e.g. range: [50, 2000]` });
    }
    if (knob === null) {
      issues.push({ field: at('breakingPoint.knob'), problem: `unknown knob ${JSON.stringify(bp.knob)} for a service`, fix: 'use "rate" or "dependency.<name>.latency"' });
    } else if (knob.kind === 'dependency-latency') {
      const dep = deps[knob.dependency];
      if (!dep) {
        issues.push({ field: at('breakingPoint.knob'), problem: `no dependency named ${JSON.stringify(knob.dependency)}`, fix: `use one of: ${Object.keys(deps).map((d) => `dependency.${d}.latency`).join(', ') || '(declare a dependency first)'}` });
      } else if (!(dep.toxics ?? []).some((t) => t.type === 'latency')) {
        issues.push({ field: at(`dependencies.${knob.dependency}.toxics`), problem: 'the breaking-point knob varies this dependency\'s latency toxic, but it has none', fix: 'add toxics: [{ type: "latency", attributes: { distribution: "pareto", alpha: 1.5, scale: 1, cap: 500 } }]' });
      }
    }
  }
  return issues;
}

/**
 * Each toxic as the chaos proxy's API will judge it (an attribute that is not a number, a
 * latency of 1e300...): found when the file loads, not as a failed request mid-run.
 */
function toxicIssues(toxics: ReadonlyArray<z.infer<typeof toxic>>, field: string): ScenarioIssue[] {
  const fix = SERVICE_FIX_HINTS.find(([re]) => re.test('dependencies.x.toxics'))?.[1] ?? '';
  return toxics.flatMap((t, i) => {
    try {
      parseToxicCreate({ ...t });
      return [];
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return [{ field: `${field}.${i}`, problem: `the chaos proxy would refuse this toxic: ${error.message}`, fix }];
    }
  });
}

function resolveToxics(toxics: Array<z.infer<typeof toxic>> | undefined): ResolvedToxic[] {
  return (toxics ?? []).map((t, i) => {
    const stream = t.stream ?? 'downstream';
    return { name: t.name ?? `${t.type}_${stream}_${i}`, type: t.type, stream, toxicity: t.toxicity ?? 1, attributes: { ...t.attributes } };
  });
}

function resolveDependency(name: string, dep: z.infer<typeof dependency>): ResolvedServiceDependency {
  if (dep.address !== undefined || dep.command === undefined) return { name, command: null, env: {}, ready: null, address: dep.address ?? '', toxics: resolveToxics(dep.toxics) };
  return {
    name,
    command: [...dep.command],
    env: { ...(dep.env ?? {}) },
    ready: dep.ready ? { path: dep.ready.path, timeoutMs: ms(dep.ready.timeout, 10_000) } : null,
    address: null,
    toxics: resolveToxics(dep.toxics),
  };
}

/** The normalised service fields; `durationMs` is the load phase unless the budget gives one. */
export function normaliseServiceFields(spec: ServiceFields, budgetDurationMs: number | undefined): {
  service: ResolvedService;
  dependencies: ResolvedServiceDependency[];
  breakingPoint: ResolvedServiceBreakingPoint | null;
  network: ResolvedServiceNetwork;
} {
  const s = spec.service;
  const resolved = resolveBreakingPoint(spec.breakingPoint);
  const target = spec.breakingPoint ? parseServiceKnob(spec.breakingPoint.knob) : null;
  return {
    service: {
      command: [...s.command],
      env: { ...(s.env ?? {}) },
      ready: { path: s.ready.path, timeoutMs: ms(s.ready.timeout, 10_000) },
      request: s.request,
      rate: s.rate,
      connections: s.connections ?? 10,
      durationMs: budgetDurationMs ?? ms(s.duration, 5_000),
    },
    dependencies: Object.entries(spec.dependencies ?? {}).map(([name, dep]) => resolveDependency(name, dep)),
    breakingPoint: resolved && target ? { ...resolved, target } : null,
    network: { allowNonLoopbackListen: spec.network?.allowNonLoopbackListen ?? false },
  };
}

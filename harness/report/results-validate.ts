/**
 * Validation of results.json at the edge (`slo-harness report`, `--baseline`, `merge`):
 * a zod mirror of results-schema.ts. Objects are loose (unknown keys are kept), so a file
 * written by a newer harness that only *added* fields still reads; a different `version`
 * is refused with a message saying which. Errors name the file and the field path.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { HarnessError } from '../core/errors.ts';
import { RESULTS_SCHEMA, RESULTS_VERSION, type ResultsFile } from '../core/results-schema.ts';
import { fieldPath, growthFit } from '../core/validation.ts';

const ms = z.number();
const count = z.number().int().nonnegative();
const verdict = z.enum(['PASS', 'FAIL', 'INCONCLUSIVE']);
const status = z.enum(['complete', 'interrupted', 'error']);
const metric = z.enum(['p50', 'p90', 'p99', 'p999', 'max']);
const findingKind = z.enum(['slow', 'timeout', 'crash', 'exit', 'oom', 'error']);
const nullableString = z.string().nullable();

const latencySummary = z.looseObject({
  count, minMs: ms, p50Ms: ms, p90Ms: ms, p99Ms: ms, p999Ms: ms, maxMs: ms,
  histogram: z.string(),
  percentiles: z.array(z.looseObject({ percentile: z.number(), valueMs: ms })),
});

const sloResult = z.looseObject({
  metric, thresholdMs: ms, observedMs: ms, sampleCount: count,
  interval: z.looseObject({ confidence: z.number(), lowerMs: ms, upperMs: ms, lowerRank: z.number().nullable(), upperRank: z.number().nullable() }),
  verdict, samplesToDecide: z.number().nullable(), explanation: z.string(),
});

const frameShare = z.looseObject({ frame: z.string(), count: z.number(), share: z.number(), kind: z.string().optional() });

const findingStacks = z.looseObject({
  backend: z.string(), reason: nullableString,
  folded: z.array(z.looseObject({ stack: z.string(), count: z.number() })),
  foldedOther: z.looseObject({ stacks: count, count: z.number() }).optional(),
  topSelf: z.array(frameShare), topTotal: z.array(frameShare),
  onCpuRatio: z.number().nullable(),
  samples: z.number().optional(),
  windowMs: z.number().optional(),
  offCpu: z.looseObject({ totalMs: ms, preemptedMs: ms, blockedMs: ms, topSelf: z.array(frameShare) }).optional(),
  diff: z.array(z.looseObject({ frame: z.string(), violationShare: z.number(), baselineShare: z.number() })).nullable(),
});

const finding = z.looseObject({
  id: z.string(), kind: findingKind, latencyMs: ms, budgetMs: ms, message: nullableString, stack: nullableString,
  input: z.looseObject({ encoding: z.enum(['bytes', 'utf8', 'v8']), size: count, preview: z.string(), hexPreview: z.string(), file: z.string() }),
  metaFile: z.string(), replay: z.string(), firstSeenAt: z.string(), occurrences: count,
  growth: growthFit.optional(), stacks: findingStacks.optional(), shrunkFrom: z.number().optional(), offsetMs: z.number().optional(),
  injectedMs: ms.optional(), originalId: z.string().optional(), firstCallLatenciesMs: z.array(ms).optional(), variants: z.array(z.string()).optional(),
});

const minimisation = z.looseObject({
  confirmed: count, unconfirmed: count, minimised: count, keptRaw: count, timeSpentMs: ms, probeWorkers: count, error: nullableString, variants: count.optional(), unexamined: z.array(z.string()).optional(),
});

const regression = z.looseObject({
  replayed: count, stillFailing: count, fixed: count, errors: count,
  entries: z.array(z.looseObject({
    id: z.string(), kind: findingKind, metaFile: z.string(), latenciesMs: z.array(ms), medianMs: ms, budgetMs: ms,
    status: z.enum(['still-failing', 'fixed', 'error']), detail: z.string(),
  })),
});

const exploration = z.looseObject({
  engine: z.string(), durationMs: ms, calls: count, callsPerSecond: z.number(), kept: count, interestingSaved: count, note: nullableString,
});

const latencyTriple = z.looseObject({ p50Ms: ms, p99Ms: ms, maxMs: ms });
const service = z.looseObject({
  command: z.array(z.string()), origin: z.string(), rate: z.number(), achievedRate: z.number(), connections: count,
  planned: count, sent: count, completed: count,
  errors: z.looseObject({ timeout: count, connection: count, status5xx: count, status4xx: count, other: count }),
  corrected: latencyTriple, uncorrected: latencyTriple, lagP99Ms: ms, maxLagMs: ms,
  proxy: z.looseObject({ mode: z.enum(['embedded', 'external']), url: z.string() }),
  dependencies: z.array(z.looseObject({ name: z.string(), upstream: z.string(), proxied: z.string() })),
  stacks: z.looseObject({
    backend: z.string(), reason: nullableString, thresholdMs: ms, thresholdFrom: z.string(),
    requests: z.looseObject({ violating: count, baseline: count }),
    violation: findingStacks.nullable(), phase: findingStacks.nullable(), notes: z.array(z.string()),
  }).optional(),
});

const breakingPoint = z.looseObject({
  knob: z.string(), knobUnit: nullableString,
  slo: z.looseObject({ metric, thresholdMs: ms }),
  curve: z.array(z.looseObject({ intensity: z.number(), p50Ms: ms, p99Ms: ms, p99LowerMs: ms, p99UpperMs: ms.nullable(), samples: count, errors: count })),
  bracket: z.looseObject({ passing: z.number().nullable(), failing: z.number().nullable() }),
  breakingPoint: z.number().nullable(),
  crossingEstimate: z.number().nullable().optional(),
  status: z.enum(['found', 'below-range', 'not-broken', 'inconclusive', 'budget-exhausted']),
  range: z.looseObject({ lo: z.number(), hi: z.number() }).optional(),
  tolerance: z.number().optional(),
  boundary: z.looseObject({ lo: z.number(), hi: z.number() }).nullable().optional(),
  steps: count.optional(), budgetMs: ms.optional(), elapsedMs: ms.optional(),
});

const chaos = z.looseObject({
  pareto: z.looseObject({ scaleMs: ms, alpha: z.number(), capMs: z.number().nullable() }).nullable(),
  toxics: z.array(z.looseObject({
    name: z.string(), type: z.string(), stream: z.enum(['upstream', 'downstream']), toxicity: z.number(),
    attributes: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])), proxy: z.string(),
  })),
  cpuStress: z.looseObject({ backend: z.string(), workers: z.number(), duty: z.number(), description: z.string() }).nullable(),
  faultWindows: z.array(z.looseObject({ startMs: ms, endMs: ms, label: z.string() })),
  dependencies: z.array(z.looseObject({
    name: z.string(), pareto: z.looseObject({ scaleMs: ms, alpha: z.number(), capMs: z.number().nullable() }).nullable(),
    errorRate: z.number(), timeoutMs: ms.nullable(),
  })).optional(),
  injected: z.looseObject({ perCall: latencySummary, dependencyCalls: count, dependencyErrors: count, dependencyTimeouts: count, failedCalls: count }).optional(),
  note: z.string().optional(),
});

const timelineWindow = z.looseObject({ tStartMs: ms, durationMs: ms, count, p99Ms: z.number().nullable(), errors: count });

const stall = z.looseObject({ stalledMs: ms, phaseWallMs: ms, share: z.number().min(0).max(1) });
const paced = z.looseObject({ rate: z.number().positive(), corrected: latencyTriple, raw: latencyTriple.nullable() });

const scenario = z.looseObject({
  name: z.string(), description: nullableString, file: z.string(), seed: z.number(),
  engine: z.looseObject({ requested: z.string(), used: z.string(), note: nullableString }),
  input: z.looseObject({ type: z.string(), maxLength: z.number(), corpusDir: z.string(), seeds: count }),
  timeoutMs: ms,
  budget: z.looseObject({ durationMs: ms, calls: z.number().nullable() }),
  status, statusReason: nullableString, durationMs: ms, calls: count, callsPerSecond: z.number(), restarts: count,
  latency: latencySummary, slos: z.array(sloResult), verdict, findings: z.array(finding), perCallBudgetMs: ms,
  breakingPoint: breakingPoint.optional(), chaos: chaos.optional(), timeline: z.array(timelineWindow).optional(),
  minimisation: minimisation.optional(), regression: regression.optional(), exploration: exploration.optional(), service: service.optional(),
  stall: stall.optional(), paced: paced.optional(),
});

const sloSnapshot = z.looseObject({ observedMs: ms, lowerMs: ms, upperMs: ms, thresholdMs: ms, sampleCount: count, verdict });
const findingRef = z.looseObject({ scenario: z.string(), id: z.string(), kind: findingKind, latencyMs: ms });

const baselineComparison = z.looseObject({
  baselineRunId: z.string(), baselineStartedAt: z.string(), baselineFile: nullableString,
  slos: z.array(z.looseObject({
    scenario: z.string(), metric, current: sloSnapshot.nullable(), baseline: sloSnapshot.nullable(),
    deltaMs: z.number().nullable(), deltaRatio: z.number().nullable(), intervalsOverlap: z.boolean().nullable(),
    change: z.enum(['regressed', 'improved', 'unchanged', 'added', 'removed']),
  })),
  newFindings: z.array(findingRef), fixedFindings: z.array(findingRef), persistingFindings: count,
});

export const resultsFileSchema = z.looseObject({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  run: z.looseObject({
    id: z.string(), startedAt: z.string(), finishedAt: z.string(), durationMs: ms, seed: z.number(),
    argv: z.array(z.string()), status, exitCode: z.number().int(),
    totals: z.looseObject({ scenarios: count, passed: count, failed: count, inconclusive: count, findings: count }),
  }),
  environment: z.looseObject({
    harnessVersion: z.string(), node: z.string(), platform: z.string(), arch: z.string(), cpus: count, cpuModel: z.string(),
    totalMemoryMb: z.number(), hostname: z.string(),
    fallbacks: z.array(z.looseObject({ component: z.string(), wanted: z.string(), used: z.string(), reason: z.string() })),
  }),
  scenarios: z.array(scenario),
  baseline: baselineComparison.optional(),
});

/** Compile-time guard: the zod mirror must produce values of the hand-written contract type. */
type Assignable<T extends ResultsFile> = T;
export type ValidatedResultsFile = Assignable<z.infer<typeof resultsFileSchema>>;

/** A results file that could not be read, naming the file and (when known) the field. */
export class ResultsFileError extends HarnessError {
  constructor(
    readonly file: string,
    readonly field: string | null,
    detail: string,
  ) {
    super(`results file ${file}${field === null ? '' : `: field ${field}`}: ${detail}`);
  }
}

/** Validates parsed JSON; `source` names the file in errors. */
export function parseResultsFile(data: unknown, source: string): ResultsFile {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ResultsFileError(source, null, 'expected a JSON object');
  }
  const header = data as { schema?: unknown; version?: unknown };
  if (header.schema !== RESULTS_SCHEMA) {
    // The value is echoed only when it looks like a schema name: the file may not be ours to print.
    const got = typeof header.schema === 'string' && /^slo-harness\/[\w.-]{1,40}$/.test(header.schema) ? JSON.stringify(header.schema) : header.schema === undefined ? 'nothing' : 'another value';
    throw new ResultsFileError(source, 'schema', `expected "${RESULTS_SCHEMA}", got ${got} (is this a slo-harness results.json?)`);
  }
  if (header.version !== RESULTS_VERSION) {
    const newer = typeof header.version === 'number' && header.version > RESULTS_VERSION;
    throw new ResultsFileError(
      source,
      'version',
      `version ${JSON.stringify(header.version)} is not supported by this reader (it reads version ${RESULTS_VERSION})${newer ? '; it was written by a newer slo-harness' : ''}`,
    );
  }
  const parsed = resultsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
    throw new ResultsFileError(source, issue ? fieldPath(issue.path) : null, `${issue?.message ?? 'invalid'}${more}`);
  }
  return parsed.data;
}

/**
 * Reads and validates a results.json. Only this file is read: paths inside it (finding
 * inputs, metadata files, the corpus folder, a baseline file) are shown in reports, never
 * opened, so a hostile results file cannot make `report` or `--baseline` read anything
 * else. A FIFO or device is refused before reading (it would block or never end), and a
 * JSON syntax error is reported without the parser's excerpt of the text (the file may be
 * a symlink to something that must not be printed).
 */
export async function readResultsFile(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) throw new ResultsFileError(path, null, 'is not a regular file');
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResultsFileError(path, null, code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ResultsFileError(path, null, `not valid JSON${at ? ` (at character ${at})` : ' (truncated?)'}`);
  }
  return parseResultsFile(data, path);
}

/**
 * Synthetic but realistic results files for the report tests and the report bench: real
 * HDR histograms (the harness's own WASM histograms) of seeded latency samples, verdicts
 * from the harness's own order-statistic intervals, one SLO failing, one passing, one inconclusive, findings with growth
 * fits, folded stacks and a breaking-point curve. And a hostile variant whose every string
 * tries to break out of the HTML.
 */
import { createLatencyHistogram, initHistogramsSync, msToUs, summarizeLatency, type Histogram } from '../../harness/measure/histogram.ts';
import { lognormalDistribution, seededUniform as seededRandom } from '../../harness/measure/synthetic.ts';
import { sloVerdict } from '../../harness/measure/verdict.ts';
import { addOptionalSections } from './fixture-sections.ts';
import {
  RESULTS_SCHEMA, RESULTS_VERSION,
  type ChaosInForce, type Finding, type FindingStacks, type LatencySummary, type ResultsFile, type ScenarioResult, type SloResult,
  type TimelineWindow,
} from '../../harness/core/results-schema.ts';

export interface SampleSpec {
  count: number;
  medianMs: number;
  sigma: number;
  seed: number;
}

/** A real latency histogram (the harness's own, WASM, values in µs) of `count` seeded log-normal samples. */
export function recordHistogram(spec: SampleSpec): Histogram {
  initHistogramsSync();
  const h = createLatencyHistogram();
  const random = seededRandom(spec.seed);
  const distribution = lognormalDistribution(spec.medianMs, spec.sigma);
  for (let i = 0; i < spec.count; i++) h.recordValue(msToUs(distribution.sample(random)));
  return h;
}

/** The run's own summary (percentile curve, encoded histogram) of a histogram. */
export function latencySummary(h: Histogram): LatencySummary {
  return summarizeLatency(h);
}

/** The run's own verdict (order-statistic interval) for an SLO. */
export function sloFromHistogram(h: Histogram, metric: SloResult['metric'], thresholdMs: number): SloResult {
  return sloVerdict(h, metric, thresholdMs);
}

const FRAMES = [
  'node:internal/main/run_main_module',
  'processTicksAndRejections (node:internal/process/task_queues:95)',
  'runTarget (/app/harness/drivers/isolate/worker.ts:88)',
  'parse (/app/node_modules/yaml/dist/public-api.js:71)',
  'parseDocument (/app/node_modules/yaml/dist/public-api.js:40)',
  'Parser.lex (/app/node_modules/yaml/dist/parse/lexer.js:210)',
  'Lexer.parsePlainScalar (/app/node_modules/yaml/dist/parse/lexer.js:532)',
  'RegExp.exec [native]',
  'Composer.compose (/app/node_modules/yaml/dist/compose/composer.js:160)',
  'resolveFlowScalar (/app/node_modules/yaml/dist/compose/resolve-flow-scalar.js:20)',
  'Buffer.toString (node:buffer:820)',
  'JSON.stringify [native]',
];

/** Seeded folded stacks: paths through FRAMES with a hot path, aggregated to `distinct` stacks. */
export function syntheticStacks(seed: number, distinct: number, hotFrame = 'Lexer.parsePlainScalar (/app/node_modules/yaml/dist/parse/lexer.js:532)', extraFrames: string[] = []): FindingStacks {
  const random = seededRandom(seed);
  const frames = [...FRAMES, ...extraFrames];
  const folded = new Map<string, number>();
  for (let i = 0; i < distinct * 3; i++) {
    const depth = 3 + Math.floor(random() * 12);
    const path = frames.slice(0, 3);
    for (let d = 3; d < depth; d++) path.push(frames[3 + Math.floor(random() * (frames.length - 3))] as string);
    if (random() < 0.6) path.push(hotFrame, 'RegExp.exec [native]');
    const key = path.join(';');
    folded.set(key, (folded.get(key) ?? 0) + 1 + Math.floor(random() * 20));
    if (folded.size >= distinct) break;
  }
  const list = [...folded].map(([stack, count]) => ({ stack, count }));
  const total = list.reduce((s, x) => s + x.count, 0);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const { stack, count } of list) {
    const parts = stack.split(';');
    self.set(parts.at(-1) as string, (self.get(parts.at(-1) as string) ?? 0) + count);
    for (const f of new Set(parts)) inclusive.set(f, (inclusive.get(f) ?? 0) + count);
  }
  const top = (m: Map<string, number>): FindingStacks['topSelf'] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([frame, count]) => ({ frame, count, share: count / total, kind: frame.includes('[native]') ? 'native' : 'js' }));
  const diff = [...inclusive].slice(0, 30).map(([frame, samples], i) => ({
    frame,
    violationShare: samples / total,
    baselineShare: Math.min(1, Math.max(0, samples / total - (frame === hotFrame ? 0.4 : (i % 3) * 0.02 - 0.02))),
  }));
  return { backend: 'bpftrace', reason: null, folded: list, topSelf: top(self), topTotal: top(inclusive), onCpuRatio: 0.93, diff };
}

function hexOf(bytes: Uint8Array, max = 64): string {
  return Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function makeFinding(overrides: Partial<Finding> & { inputText?: string } = {}): Finding {
  const text = overrides.inputText ?? 'key: ' + 'a '.repeat(40) + '!\u0000\u001b[31m';
  const bytes = Buffer.from(text, 'utf8');
  const { inputText: _ignored, ...rest } = overrides;
  return {
    id: '9f2c1e0d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
    kind: 'slow',
    latencyMs: 84.2,
    budgetMs: 20,
    message: null,
    stack: null,
    input: { encoding: 'utf8', size: bytes.length, preview: text, hexPreview: hexOf(bytes), file: 'corpora/yaml-parse/violations/9f2c1e0d.bin' },
    metaFile: 'corpora/yaml-parse/violations/9f2c1e0d.json',
    replay: 'npx slo-harness replay scenarios/yaml-parse.ts --input corpora/yaml-parse/violations/9f2c1e0d.bin --seed 42',
    firstSeenAt: '2025-01-01T03:00:07.120Z',
    occurrences: 3,
    ...rest,
  };
}

function timeline(seed: number, seconds: number, faults: ChaosInForce['faultWindows']): TimelineWindow[] {
  const random = seededRandom(seed);
  return Array.from({ length: seconds }, (_, i) => {
    const t = i * 1000;
    const inFault = faults.some((f) => t >= f.startMs && t < f.endMs);
    return { tStartMs: t, durationMs: 1000, count: 400 + Math.floor(random() * 50), p99Ms: (inFault ? 30 : 6) * (0.8 + random() * 0.4), errors: inFault && random() < 0.5 ? 2 : 0 };
  });
}

function scenario(base: Pick<ScenarioResult, 'name' | 'file' | 'seed'> & Partial<ScenarioResult>, h: Histogram, slos: SloResult[]): ScenarioResult {
  const findings = base.findings ?? [];
  const verdict = slos.some((s) => s.verdict === 'FAIL') || findings.length > 0 ? 'FAIL' : slos.some((s) => s.verdict === 'INCONCLUSIVE') ? 'INCONCLUSIVE' : 'PASS';
  return {
    description: null,
    engine: { requested: 'auto', used: 'builtin', note: null },
    input: { type: 'string', maxLength: 4096, corpusDir: `corpora/${base.name}`, seeds: 4 },
    timeoutMs: 2000,
    budget: { durationMs: 30_000, calls: null },
    status: 'complete',
    statusReason: null,
    durationMs: 30_000,
    calls: h.totalCount,
    callsPerSecond: h.totalCount / 30,
    restarts: findings.filter((f) => f.kind === 'timeout').length,
    latency: latencySummary(h),
    perCallBudgetMs: 20,
    verdict,
    findings,
    slos,
    ...base,
  } as ScenarioResult;
}

export interface FixtureOptions {
  /** Calls recorded in the main scenario's histogram. */
  calls?: number;
  /** Distinct folded stacks per finding. */
  stacksPerFinding?: number;
  /** Findings in the main scenario. */
  findings?: number;
  /** Add the optional sections (service, exploration, regression, dependency chaos...). Default true. */
  optionalSections?: boolean;
}

/** A realistic three-scenario run: FAIL (with findings), INCONCLUSIVE (with breaking point), PASS (bare). */
export function makeResultsFixture(options: FixtureOptions = {}): ResultsFile {
  const calls = options.calls ?? 50_000;
  const hFail = recordHistogram({ count: calls, medianMs: 2, sigma: 0.7, seed: 1 });
  const hInc = recordHistogram({ count: 1500, medianMs: 3, sigma: 0.5, seed: 2 });
  const hPass = recordHistogram({ count: 20_000, medianMs: 0.2, sigma: 0.3, seed: 3 });
  const incP99 = hInc.getValueAtPercentile(99) / 1000;
  const faults = [
    { startMs: 10_000, endMs: 15_000, label: 'latency toxic 25ms on redis' },
    { startMs: 20_000, endMs: 24_000, label: 'CPU stress 2 workers 100%' },
  ];
  const findings = Array.from({ length: options.findings ?? 2 }, (_, i) =>
    makeFinding({
      id: `${(i + 1).toString(16).padStart(2, '0')}2c1e0d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d`,
      kind: i === 1 ? 'timeout' : 'slow',
      latencyMs: i === 1 ? 2000 : 84.2 + i,
      offsetMs: 7120 + i * 1000,
      shrunkFrom: 3000 + i,
      growth: i === 1 ? undefined : {
        class: 'polynomial', exponentOrBase: 2.02, r2: 0.994,
        points: [64, 128, 256, 512, 1024, 2048].map((n) => ({ n, latencyMs: 0.00002 * n * n + 0.05 })),
        predictedCrossingSize: 1000,
      },
      stacks: i === 1 ? undefined : syntheticStacks(10 + i, options.stacksPerFinding ?? 300),
      message: i === 1 ? 'call exceeded the 2 s watchdog; isolate restarted' : null,
      stack: i === 1 ? 'Error: watchdog\n    at Lexer.parsePlainScalar (lexer.js:532:17)\n    at parse (public-api.js:71:9)' : null,
    }),
  );
  const chaos: ChaosInForce = {
    pareto: { scaleMs: 2, alpha: 1.6, capMs: 500 },
    toxics: [{ name: 'redis-latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 25, jitter: 5 }, proxy: 'redis' }],
    cpuStress: { backend: 'worker', workers: 2, duty: 1, description: '2 worker burners at 100% duty' },
    faultWindows: faults,
  };
  const scenarios: ScenarioResult[] = [
    scenario({ name: 'yaml-parse', file: 'scenarios/yaml-parse.ts', seed: 42, description: 'YAML parser against fuzzed documents', findings, chaos, timeline: timeline(5, 30, faults) }, hFail, [
      sloFromHistogram(hFail, 'p99', 5),
      sloFromHistogram(hFail, 'p50', 4),
    ]),
    scenario({
      name: 'checkout-service', file: 'scenarios/checkout.ts', seed: 7, chaos: { ...chaos, faultWindows: [] },
      breakingPoint: {
        knob: 'pareto.scaleMs', knobUnit: 'ms', slo: { metric: 'p99', thresholdMs: 40 },
        curve: [1, 2, 4, 8, 16].map((k, i) => ({ intensity: k, p50Ms: 3 + k, p99Ms: 8 + k * 4.5, p99LowerMs: 7 + k * 4.2, p99UpperMs: i === 4 ? null : 10 + k * 4.6, samples: 4000, errors: i })),
        bracket: { passing: 4, failing: 8 }, breakingPoint: 8, crossingEstimate: 7.1, status: 'found',
      },
    }, hInc, [sloFromHistogram(hInc, 'p99', incP99)]),
    scenario({ name: 'json-logic', file: 'scenarios/json-logic.ts', seed: 42, engine: { requested: 'jazzer', used: 'builtin', note: 'Jazzer.js addon needs glibc 2.38' } }, hPass, [sloFromHistogram(hPass, 'p99', 5)]),
  ];
  for (const h of [hFail, hInc, hPass]) h.destroy();
  const verdicts = scenarios.map((s) => s.verdict);
  const results: ResultsFile = {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    run: {
      id: '2025-01-01T03-00-00Z-nightly', startedAt: '2025-01-01T03:00:00.000Z', finishedAt: '2025-01-01T03:01:31.000Z', durationMs: 91_000, seed: 42,
      argv: ['slo-harness', 'run', 'scenarios/', '--out', 'reports/nightly', '--seed', '42'], status: 'complete', exitCode: 1,
      totals: {
        scenarios: 3, passed: verdicts.filter((v) => v === 'PASS').length, failed: verdicts.filter((v) => v === 'FAIL').length,
        inconclusive: verdicts.filter((v) => v === 'INCONCLUSIVE').length, findings: scenarios.reduce((n, s) => n + s.findings.length, 0),
      },
    },
    environment: {
      harnessVersion: '0.1.0', node: 'v20.20.0', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Intel Xeon', totalMemoryMb: 7936, hostname: 'ci-runner-1',
      fallbacks: [{ component: 'engine', wanted: 'jazzer', used: 'builtin', reason: 'Jazzer.js native addon needs glibc 2.38' }],
    },
    scenarios,
  };
  return options.optionalSections === false ? results : addOptionalSections(results);
}

/** Strings that try every way out of an HTML context. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  img: '"><img src=x onerror=window.__pwned=1>',
  style: '</style><script>window.__pwned=1</script>',
  svg: "'><svg onload=window.__pwned=1>",
  nul: 'before\u0000after',
  invalidUtf8: `bad:${Buffer.from([0xff, 0xfe]).toString('utf8')}:end`,
  loneSurrogate: 'lone:\ud800:end',
  terminal: '\u001b]0;pwned\u0007\u001b[2J\u009b31m',
  bidi: 'admin\u202e\u2066txt.exe',
} as const;

const HOSTILE_ALL = Object.values(HOSTILE).join(' ');

/** The fixture with hostile strings in every field a target or a fuzzer can influence, and a 1 MB input. */
export function makeHostileFixture(): ResultsFile {
  const results = makeResultsFixture({ calls: 5000, stacksPerFinding: 50 });
  const big = HOSTILE_ALL + 'x'.repeat(1024 * 1024);
  const bytes = Buffer.concat([Buffer.from(HOSTILE.script), Buffer.from([0, 0xff, 0xfe, 0x1b]), Buffer.from(HOSTILE.img)]);
  const first = results.scenarios[0] as ScenarioResult;
  first.name = HOSTILE.script;
  first.description = HOSTILE.img;
  first.file = `scenarios/${HOSTILE.svg}.ts`;
  first.engine.note = HOSTILE.style;
  first.statusReason = HOSTILE.nul;
  (first.slos[0] as SloResult).explanation = HOSTILE_ALL;
  first.chaos!.faultWindows[0]!.label = HOSTILE.img;
  first.chaos!.toxics[0]!.attributes = { [HOSTILE.script]: HOSTILE.img };
  const finding = first.findings[0] as Finding;
  Object.assign(finding, {
    id: HOSTILE.svg,
    message: HOSTILE_ALL,
    stack: `${HOSTILE.style}\n    at ${HOSTILE.img}`,
    replay: `npx slo-harness replay '${HOSTILE.script}' $(touch /tmp/pwned) </code><script>window.__pwned=1</script>`,
    input: { encoding: 'bytes', size: big.length, preview: big, hexPreview: hexOf(bytes, 256), file: `corpora/${HOSTILE.img}` },
  });
  finding.stacks = syntheticStacks(99, 40, HOSTILE.script, [HOSTILE.img, HOSTILE.style]);
  finding.stacks.reason = HOSTILE.svg;
  const second = first.findings[1] as Finding;
  second.input = { ...second.input, preview: HOSTILE.invalidUtf8 + HOSTILE.loneSurrogate, hexPreview: `${HOSTILE.script}` };
  results.run.id = HOSTILE.script;
  results.run.argv = ['slo-harness', 'run', HOSTILE.img, HOSTILE.terminal];
  first.regression!.entries[0]!.detail = HOSTILE.img;
  first.chaos!.note = HOSTILE.style;
  first.chaos!.dependencies![0]!.name = HOSTILE.svg;
  const service = (results.scenarios[1] as ScenarioResult).service!;
  service.command = ['node', HOSTILE.script, HOSTILE.terminal];
  service.dependencies[0]!.upstream = HOSTILE.img;
  results.environment.hostname = HOSTILE.style;
  results.environment.cpuModel = HOSTILE.bidi;
  (results.environment.fallbacks[0] as ResultsFile['environment']['fallbacks'][number]).reason = HOSTILE_ALL;
  return results;
}

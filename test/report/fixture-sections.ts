/**
 * The optional sections other phases add to results (service figures, exploration,
 * minimisation, regression replays, dependency chaos with injected-delay percentiles,
 * breaking-point search details, off-CPU stacks, capped stacks, environment fallbacks),
 * added to a fixture so the report tests and bench render every section.
 */
import { createLatencyHistogram, initHistogramsSync, msToUs, summarizeLatency } from '../../harness/measure/histogram.ts';
import { paretoDistribution, seededUniform } from '../../harness/measure/synthetic.ts';
import type { FindingStacks, LatencySummary, ResultsFile, ScenarioResult, ServiceStacks, ServiceStats } from '../../harness/core/results-schema.ts';

/** Injected delay per call: seeded Pareto draws, summarised as the chaos layer does (percentiles, never a mean). */
function injectedPerCall(count: number, seed: number): LatencySummary {
  initHistogramsSync();
  const h = createLatencyHistogram();
  const uniform = seededUniform(seed);
  const pareto = paretoDistribution(2, 1.6);
  for (let i = 0; i < count; i++) h.recordValue(msToUs(Math.min(500, pareto.sample(uniform))));
  const summary = summarizeLatency(h);
  h.destroy();
  return summary;
}

export function serviceStats(): ServiceStats {
  return {
    command: ['node', 'scenarios/service/server.js', '--port', '{port}'],
    origin: 'http://127.0.0.1:41234',
    rate: 400, achievedRate: 398.7, connections: 8,
    planned: 12_000, sent: 11_980, completed: 11_902,
    errors: { timeout: 41, connection: 7, status5xx: 30, status4xx: 0, other: 0 },
    corrected: { p50Ms: 6.1, p99Ms: 61.5, maxMs: 410 },
    uncorrected: { p50Ms: 5.9, p99Ms: 22.4, maxMs: 390 },
    lagP99Ms: 3.2, maxLagMs: 19.5,
    proxy: { mode: 'embedded', url: 'http://127.0.0.1:8474' },
    dependencies: [{ name: 'redis', upstream: '127.0.0.1:6379', proxied: '127.0.0.1:26000' }],
  };
}

function decorateFailing(s: ScenarioResult): void {
  s.exploration = { engine: 'builtin', durationMs: 6000, calls: 48_000, callsPerSecond: 8000, kept: 137, interestingSaved: 12, note: null };
  s.minimisation = { confirmed: 2, unconfirmed: 3, minimised: 1, keptRaw: 1, timeSpentMs: 4200, probeWorkers: 3, error: null };
  s.regression = {
    replayed: 3, stillFailing: 1, fixed: 1, errors: 1,
    entries: [
      { id: 'aa11bb22cc33dd44', kind: 'slow', metaFile: 'corpora/yaml-parse/violations/aa11bb22.json', latenciesMs: [31, 29.5, 33], medianMs: 31, budgetMs: 20, status: 'still-failing', detail: 'median first call 31 ms over the 20 ms budget' },
      { id: 'ee55ff66aa77bb88', kind: 'slow', metaFile: 'corpora/yaml-parse/violations/ee55ff66.json', latenciesMs: [1.2, 1.1, 1.3], medianMs: 1.2, budgetMs: 20, status: 'fixed', detail: 'median first call 1.2 ms under the budget' },
      { id: '0123456789abcdef', kind: 'timeout', metaFile: 'corpora/yaml-parse/violations/01234567.json', latenciesMs: [], medianMs: 0, budgetMs: 2000, status: 'error', detail: 'input file missing' },
    ],
  };
  s.chaos = {
    ...(s.chaos ?? { pareto: null, toxics: [], cpuStress: null, faultWindows: [] }),
    dependencies: [
      { name: 'user-db', pareto: { scaleMs: 2, alpha: 1.6, capMs: 500 }, errorRate: 0.01, timeoutMs: 250 },
      { name: 'feature-flags', pareto: null, errorRate: 0, timeoutMs: null },
    ],
    injected: { perCall: injectedPerCall(20_000, 77), dependencyCalls: 40_000, dependencyErrors: 398, dependencyTimeouts: 12, failedCalls: 402 },
    note: 'Pareto latency approximated by the embedded proxy\'s pareto toxic',
  };
  const [first, second] = s.findings;
  if (first) {
    Object.assign(first, { injectedMs: 61.3, originalId: 'ffeeddccbbaa99887766', firstCallLatenciesMs: [83.1, 84.2, 86.0], variants: ['0123456789abcdef0123', '<img src=x onerror=alert(1)>'] });
    if (first.stacks) {
      first.stacks.samples = 412;
      first.stacks.windowMs = 4300;
      first.stacks.foldedOther = { stacks: 1520, count: 2210 };
      first.stacks.offCpu = {
        totalMs: 310, preemptedMs: 220, blockedMs: 90,
        topSelf: [{ frame: 'futex_wait [kernel]', count: 180_000, share: 0.58, kind: 'kernel' }, { frame: 'epoll_wait [kernel]', count: 90_000, share: 0.29, kind: 'kernel' }],
      };
    }
  }
  if (second) second.firstCallLatenciesMs = [2000, 2000, 2000];
}

/** A service's load-phase stacks (`--trace`), with a hostile frame name the report must escape. */
export function serviceStacks(): ServiceStacks {
  const frames = (leaf: string): string => `node::Start;uv_run;handle (scenarios/service/server.js:40:17);${leaf}`;
  const stacks = (folded: Array<{ stack: string; count: number }>, diff: FindingStacks['diff']): FindingStacks => ({
    backend: 'bpftrace', reason: 'bpftrace on PATH, privileged, probe run ok', folded,
    topSelf: [{ frame: 'parseHeader (scenarios/service/server.js:12:21)', count: 40, share: 0.6, kind: 'js' }, { frame: '<img src=x onerror=alert(1)>', count: 5, share: 0.07, kind: 'native' }],
    topTotal: [{ frame: 'handle (scenarios/service/server.js:40:17)', count: 66, share: 0.98, kind: 'js' }, { frame: 'parseHeader (scenarios/service/server.js:12:21)', count: 40, share: 0.6, kind: 'js' }],
    onCpuRatio: 0.8, samples: 67, windowMs: 1100, diff,
  });
  return {
    backend: 'bpftrace', reason: 'bpftrace on PATH, privileged, probe run ok', thresholdMs: 50, thresholdFrom: 'p99 SLO',
    requests: { violating: 31, baseline: 11_871 },
    violation: stacks([{ stack: frames('parseHeader (scenarios/service/server.js:12:21)'), count: 40 }, { stack: frames('<img src=x onerror=alert(1)>'), count: 5 }], [{ frame: 'parseHeader (scenarios/service/server.js:12:21)', violationShare: 0.6, baselineShare: 0.02 }]),
    phase: stacks([{ stack: frames('formatReply (scenarios/service/server.js:30:1)'), count: 300 }, { stack: frames('parseHeader (scenarios/service/server.js:12:21)'), count: 42 }], null),
    notes: ['main thread only'],
  };
}

function decorateService(s: ScenarioResult): void {
  s.service = { ...serviceStats(), stacks: serviceStacks() };
  if (s.breakingPoint) Object.assign(s.breakingPoint, { range: { lo: 1, hi: 16 }, tolerance: 0.1, boundary: { lo: 6, hi: 8 }, steps: 9, budgetMs: 60_000, elapsedMs: 41_500 });
}

/** Adds every optional section to the realistic fixture's scenarios (yaml-parse, checkout-service). */
export function addOptionalSections(results: ResultsFile): ResultsFile {
  const [failing, service] = results.scenarios;
  if (failing) decorateFailing(failing);
  if (service) decorateService(service);
  results.environment.fallbacks.push({ component: 'tracer', wanted: 'bpftrace', used: 'v8-inspector', reason: 'bpftrace needs root' });
  return results;
}

/**
 * junit.xml for CI systems (GitHub, GitLab, Jenkins): one <testsuite> per scenario, one
 * <testcase> per SLO named like "p99 < 5.00 ms", one <testcase> per finding, and one for a
 * scenario that ended in error.
 *
 * Mapping of verdicts:
 *  - PASS          -> a passing testcase (measured value, interval and n in <system-out>
 *                     and <properties>, so CI shows numbers, not only green).
 *  - FAIL          -> <failure type="slo"> whose message has the verdict, measured value,
 *                     interval and n, and whose body adds the replay commands.
 *  - INCONCLUSIVE  -> <skipped message="INCONCLUSIVE: ...">: the run could not decide, which
 *                     is neither a pass nor a failure; the message says how many samples
 *                     would decide. (JUnit has no "unknown" state; skipped is what CI UIs show
 *                     as neither red nor green.)
 *  - findings      -> <failure type="finding-<kind>"> with latency vs budget and the replay command.
 *  - scenario status "error" -> an extra testcase with <error>.
 *  - `--regression` replays -> one testcase per saved violation: <failure type="regression">
 *                     while it still exceeds its budget, <error> when it could not be replayed.
 * Every string is XML-escaped; characters XML 1.0 forbids become visible escapes.
 */
import { escapeXml, truncateText } from './escape.ts';
import { formatCount, formatMs, sloLabel, sloVerdictLine } from './format.ts';
import type { Finding, RegressionEntry, ResultsFile, ScenarioResult, SloResult } from '../core/results-schema.ts';

/** Findings beyond this many per scenario are summarised in one testcase. */
export const MAX_FINDING_CASES = 50;

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function replayLines(scenario: ScenarioResult): string {
  if (scenario.findings.length === 0) return `Replay the run: --seed ${scenario.seed}`;
  const lines = scenario.findings.slice(0, 10).map((f) => `  ${f.replay}`);
  const more = scenario.findings.length > 10 ? [`  ... and ${scenario.findings.length - 10} more (see the HTML report)`] : [];
  return ['Replay commands:', ...lines, ...more].join('\n');
}

function properties(values: Record<string, string | number>): string {
  const items = Object.entries(values).map(([name, value]) => `<property${attrs({ name, value })}/>`);
  return `<properties>${items.join('')}</properties>`;
}

function sloCase(scenario: ScenarioResult, slo: SloResult): string {
  const open = `<testcase${attrs({ classname: scenario.name, name: sloLabel(slo), time: seconds(scenario.durationMs) })}>`;
  const props = properties({
    verdict: slo.verdict,
    measuredMs: slo.observedMs,
    lowerMs: slo.interval.lowerMs,
    upperMs: slo.interval.upperMs,
    confidence: slo.interval.confidence,
    thresholdMs: slo.thresholdMs,
    samples: slo.sampleCount,
  });
  const line = sloVerdictLine(slo);
  const out = `<system-out>${escapeXml(`${line}\n${slo.explanation}`)}</system-out>`;
  if (slo.verdict === 'FAIL') {
    const body = `${line}\n${slo.explanation}\n${replayLines(scenario)}`;
    return `${open}${props}<failure${attrs({ type: 'slo', message: line })}>${escapeXml(body)}</failure>${out}</testcase>`;
  }
  if (slo.verdict === 'INCONCLUSIVE') {
    const decide = slo.samplesToDecide === null ? '' : `; about ${formatCount(slo.samplesToDecide)} samples would decide`;
    return `${open}${props}<skipped${attrs({ message: `${line}${decide}` })}/>${out}</testcase>`;
  }
  return `${open}${props}${out}</testcase>`;
}

function findingCase(scenario: ScenarioResult, finding: Finding): string {
  const message = `${finding.kind}: ${formatMs(finding.latencyMs)} vs per-call budget ${formatMs(finding.budgetMs)} (input ${finding.input.size} bytes, seen ${finding.occurrences}x)`;
  const body = [
    message,
    finding.message === null ? null : `message: ${truncateText(finding.message, 2000).text}`,
    `input preview: ${truncateText(finding.input.preview, 256).text}`,
    `input file: ${finding.input.file}`,
    `replay: ${finding.replay}`,
    finding.stack === null ? null : `stack:\n${truncateText(finding.stack, 4000).text}`,
  ].filter((l): l is string => l !== null);
  const name = `finding ${finding.kind} ${finding.id.slice(0, 12)}`;
  return `<testcase${attrs({ classname: scenario.name, name, time: seconds(finding.latencyMs) })}><failure${attrs({ type: `finding-${finding.kind}`, message })}>${escapeXml(body.join('\n'))}</failure></testcase>`;
}

function overflowCase(scenario: ScenarioResult, rest: readonly Finding[]): string {
  const lines = rest.map((f) => `${f.kind} ${f.id.slice(0, 12)} ${formatMs(f.latencyMs)}: ${f.replay}`);
  const message = `${rest.length} more findings`;
  return `<testcase${attrs({ classname: scenario.name, name: `findings beyond the first ${MAX_FINDING_CASES}`, time: '0.000' })}><failure${attrs({ type: 'finding', message })}>${escapeXml(lines.join('\n'))}</failure></testcase>`;
}

/** A saved violation replayed by `--regression`: still failing, fixed (passes) or not replayable (error). */
function regressionCase(scenario: ScenarioResult, entry: RegressionEntry): string {
  const open = `<testcase${attrs({ classname: scenario.name, name: `regression ${entry.kind} ${entry.id.slice(0, 12)}`, time: seconds(entry.latenciesMs.reduce((a, b) => a + b, 0)) })}>`;
  const message = `${entry.status}: median first call ${formatMs(entry.medianMs)} vs per-call budget ${formatMs(entry.budgetMs)}`;
  const body = `${message}\n${entry.detail}\nfirst calls: ${entry.latenciesMs.map((v) => formatMs(v)).join(', ')}\nviolation file: ${entry.metaFile}`;
  if (entry.status === 'still-failing') return `${open}<failure${attrs({ type: 'regression', message })}>${escapeXml(body)}</failure></testcase>`;
  if (entry.status === 'error') return `${open}<error${attrs({ message: entry.detail })}>${escapeXml(body)}</error></testcase>`;
  return `${open}<system-out>${escapeXml(body)}</system-out></testcase>`;
}

interface SuiteXml {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function suite(scenario: ScenarioResult, timestamp: string, hostname: string): SuiteXml {
  const cases: string[] = scenario.slos.map((slo) => sloCase(scenario, slo));
  cases.push(...scenario.findings.slice(0, MAX_FINDING_CASES).map((f) => findingCase(scenario, f)));
  if (scenario.findings.length > MAX_FINDING_CASES) cases.push(overflowCase(scenario, scenario.findings.slice(MAX_FINDING_CASES)));
  const regression = scenario.regression?.entries ?? [];
  cases.push(...regression.map((e) => regressionCase(scenario, e)));
  let errors = regression.filter((e) => e.status === 'error').length;
  if (scenario.status === 'error') {
    errors += 1;
    const reason = scenario.statusReason ?? 'scenario ended in error';
    cases.push(`<testcase${attrs({ classname: scenario.name, name: 'scenario run', time: seconds(scenario.durationMs) })}><error${attrs({ message: reason })}>${escapeXml(reason)}</error></testcase>`);
  }
  const failures = scenario.slos.filter((s) => s.verdict === 'FAIL').length + Math.min(scenario.findings.length, MAX_FINDING_CASES) + (scenario.findings.length > MAX_FINDING_CASES ? 1 : 0)
    + regression.filter((e) => e.status === 'still-failing').length;
  const skipped = scenario.slos.filter((s) => s.verdict === 'INCONCLUSIVE').length;
  const head = attrs({ name: scenario.name, tests: cases.length, failures, errors, skipped, time: seconds(scenario.durationMs), timestamp, hostname });
  const props = properties({
    file: scenario.file,
    seed: scenario.seed,
    engine: scenario.engine.used,
    calls: scenario.calls,
    p50Ms: scenario.latency.p50Ms,
    p99Ms: scenario.latency.p99Ms,
    maxMs: scenario.latency.maxMs,
    verdict: scenario.verdict,
  });
  return { xml: `<testsuite${head}>${props}\n${cases.join('\n')}\n</testsuite>`, tests: cases.length, failures, errors, skipped };
}

/** The whole junit.xml document. */
export function renderJunit(results: ResultsFile): string {
  const suites = results.scenarios.map((s) => suite(s, results.run.startedAt.replace(/Z$/, ''), results.environment.hostname));
  const sum = (key: 'tests' | 'failures' | 'errors' | 'skipped'): number => suites.reduce((n, x) => n + x[key], 0);
  const head = attrs({
    name: `slo-harness ${results.run.id}`,
    tests: sum('tests'),
    failures: sum('failures'),
    errors: sum('errors'),
    skipped: sum('skipped'),
    time: seconds(results.run.durationMs),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${head}>\n${suites.map((x) => x.xml).join('\n')}\n</testsuites>\n`;
}

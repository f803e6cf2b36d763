/**
 * Run-level sections of the report: header, summary table, at-a-glance overview, baseline
 * comparison and environment.
 */
import { escapeHtml, truncateText } from '../escape.ts';
import {
  breakingPointText,
  commandLine, engineLabel, formatCount, overallVerdict, formatDeltaMs, formatDuration, formatMs, formatRelative, measuredWithInterval, sloLabel,
} from '../format.ts';
import type { BaselineComparison, Finding, ResultsFile, ScenarioResult } from '../../core/results-schema.ts';
import { badge, chaosSummary, commandBlock, kvList, textTable } from './parts.ts';

/** Full cards beyond this many per scenario become table rows, to keep the file small. */
export const MAX_CARDS_PER_SCENARIO = 20;

export function scenarioAnchor(index: number): string {
  return `scenario-${index}`;
}

export function findingAnchor(scenarioIndex: number, findingIndex: number): string {
  return `scenario-${scenarioIndex}-finding-${findingIndex}`;
}

export function headerSection(results: ResultsFile): string {
  const { run } = results;
  const t = run.totals;
  return (
    `<header class="run" id="header"><h1>slo-harness report ${badge(overallVerdict(results))}</h1>` +
    kvList([
      ['Run', run.id],
      ['Status', `${run.status} (exit code ${run.exitCode})`],
      ['Seed', String(run.seed)],
      ['Started', run.startedAt],
      ['Duration', formatDuration(run.durationMs)],
      ['Scenarios', `${t.scenarios}: ${t.passed} passed, ${t.failed} failed, ${t.inconclusive} inconclusive; ${t.findings} finding(s)`],
    ]) +
    `<div class="meta">Command</div>${commandBlock(commandLine(run.argv))}` +
    `<nav class="toc"><a href="#summary">Summary</a><a href="#overview">At a glance</a>${results.baseline ? '<a href="#baseline">Baseline</a>' : ''}` +
    results.scenarios.map((s, i) => `<a href="#${scenarioAnchor(i)}">${escapeHtml(truncateText(s.name, 60).text)}</a>`).join('') +
    `<a href="#environment">Environment</a></nav></header>`
  );
}

function summaryRows(scenario: ScenarioResult, index: number): string[] {
  const link = `<a href="#${scenarioAnchor(index)}">${escapeHtml(scenario.name, { mark: true })}</a>`;
  const common = (n: number): string =>
    `<td class="num">${escapeHtml(formatCount(n))}</td><td>${escapeHtml(engineLabel(scenario))}</td><td class="num">${escapeHtml(scenario.seed)}</td><td class="num">${escapeHtml(formatDuration(scenario.durationMs))}</td>`;
  if (scenario.slos.length === 0) {
    return [`<tr><td>${link}</td><td class="muted">no SLO</td><td>${badge(scenario.verdict)}</td><td>${escapeHtml(formatMs(scenario.latency.p99Ms))} (p99)</td><td></td>${common(scenario.calls)}</tr>`];
  }
  return scenario.slos.map((slo) => {
    const hint = slo.verdict === 'INCONCLUSIVE' && slo.samplesToDecide !== null ? `<div class="meta">needs ~${escapeHtml(formatCount(slo.samplesToDecide))} samples</div>` : '';
    return `<tr class="slo-row"><td>${link}</td><td>${escapeHtml(sloLabel(slo))}</td><td>${badge(slo.verdict)}${hint}</td><td>${escapeHtml(measuredWithInterval(slo))}</td><td class="num">${escapeHtml(formatMs(slo.thresholdMs))}</td>${common(slo.sampleCount)}</tr>`;
  });
}

export function summarySection(results: ResultsFile): string {
  const rows = results.scenarios.flatMap((s, i) => summaryRows(s, i)).join('');
  return (
    `<section id="summary"><h2>Summary</h2>` +
    `<table class="data summary"><thead><tr><th>scenario</th><th>SLO</th><th>verdict</th><th>measured [confidence interval]</th><th>threshold</th><th>n</th><th>engine</th><th>seed</th><th>duration</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<p class="meta">PASS: the interval's upper bound is under the threshold; FAIL: its lower bound is over it (or a finding exists); INCONCLUSIVE: the interval straddles the threshold or there are too few samples for that percentile.</p></section>`
  );
}

function smallestFinding(findings: readonly Finding[]): Finding | null {
  return findings.reduce<Finding | null>((best, f) => (best === null || f.input.size < best.input.size ? f : best), null);
}

function cardOrScenarioAnchor(scenarioIndex: number, findingIndex: number): string {
  return findingIndex < MAX_CARDS_PER_SCENARIO ? findingAnchor(scenarioIndex, findingIndex) : scenarioAnchor(scenarioIndex);
}

/** One row per scenario answering: breaking point, minimal input, chaos, hottest frame. */
export function overviewSection(results: ResultsFile): string {
  const rows = results.scenarios.map((s, i) => {
    const smallest = smallestFinding(s.findings);
    const inputCell = smallest === null
      ? '<span class="muted">no findings</span>'
      : `<a href="#${cardOrScenarioAnchor(i, s.findings.indexOf(smallest))}">${escapeHtml(smallest.kind)}, ${escapeHtml(smallest.input.size)} bytes</a>: <code>${escapeHtml(truncateText(smallest.input.preview, 48).text, { mark: true })}</code>`;
    const hot = s.findings.find((f) => f.stacks && f.stacks.topSelf.length > 0)?.stacks?.topSelf[0];
    const hotCell = hot ? `<code>${escapeHtml(truncateText(hot.frame, 80).text, { mark: true })}</code>` : '<span class="muted">not recorded</span>';
    return `<tr><td><a href="#${scenarioAnchor(i)}">${escapeHtml(s.name, { mark: true })}</a></td><td>${badge(s.verdict)}</td><td>${escapeHtml(breakingPointText(s), { mark: true })}</td><td>${inputCell}</td><td>${escapeHtml(chaosSummary(s.chaos), { mark: true })}</td><td>${hotCell}</td></tr>`;
  });
  return `<section id="overview"><h2>At a glance</h2><table class="data"><thead><tr><th>scenario</th><th>verdict</th><th>breaking point</th><th>smallest violating input</th><th>chaos</th><th>hottest frame (self)</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

export function baselineSection(comparison: BaselineComparison | undefined): string {
  if (!comparison) return '';
  const rows = comparison.slos.map((c) => {
    const cur = c.current ? `${formatMs(c.current.observedMs)} [${formatMs(c.current.lowerMs)} – ${formatMs(c.current.upperMs)}]` : '—';
    const base = c.baseline ? `${formatMs(c.baseline.observedMs)} [${formatMs(c.baseline.lowerMs)} – ${formatMs(c.baseline.upperMs)}]` : '—';
    const label = c.change === 'unchanged' ? 'unchanged (intervals overlap)' : c.change;
    const cls = c.change === 'regressed' ? 'worse' : c.change === 'improved' ? 'better' : '';
    return `<tr><td>${escapeHtml(c.scenario, { mark: true })}</td><td>${escapeHtml(c.metric)}</td><td>${escapeHtml(cur)}</td><td>${escapeHtml(base)}</td><td class="num">${escapeHtml(formatDeltaMs(c.deltaMs))}</td><td class="num">${escapeHtml(formatRelative(c.deltaRatio))}</td><td class="${cls}">${escapeHtml(label)}</td></tr>`;
  });
  const findingRows = (title: string, list: BaselineComparison['newFindings']): string =>
    list.length === 0
      ? `<p class="muted">${escapeHtml(title)}: none.</p>`
      : `<h3>${escapeHtml(title)} (${list.length})</h3>` + textTable(['scenario', 'id', 'kind', 'latency'], list.slice(0, 200).map((f) => [f.scenario, f.id.slice(0, 16), f.kind, formatMs(f.latencyMs)]), [3]);
  return (
    `<section id="baseline"><h2>Compared with baseline</h2>` +
    kvList([['Baseline run', comparison.baselineRunId], ['Baseline started', comparison.baselineStartedAt], ['Baseline file', comparison.baselineFile ?? undefined]]) +
    `<table class="data"><thead><tr><th>scenario</th><th>metric</th><th>now [CI]</th><th>baseline [CI]</th><th>change</th><th>relative</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    findingRows('New findings', comparison.newFindings) +
    findingRows('Fixed findings', comparison.fixedFindings) +
    `<p class="meta">${escapeHtml(comparison.persistingFindings)} finding(s) present in both runs.</p></section>`
  );
}

export function environmentSection(results: ResultsFile): string {
  const env = results.environment;
  const engines = results.scenarios.map((s) => [s.name, s.engine.requested, s.engine.used, s.engine.note ?? ''] as const);
  const tracers = [...new Set(results.scenarios.flatMap((s) => s.findings.map((f) => f.stacks?.backend).filter((b): b is string => b !== undefined)))];
  const fallbacks = env.fallbacks.length === 0
    ? '<p class="muted">No fallbacks: every component ran as requested.</p>'
    : textTable(['component', 'wanted', 'used', 'why'], env.fallbacks.map((f) => [f.component, f.wanted, f.used, f.reason]));
  return (
    `<section id="environment"><h2>Environment</h2>` +
    kvList([
      ['slo-harness', env.harnessVersion],
      ['Node', env.node],
      ['Platform', `${env.platform} ${env.arch}`],
      ['CPU', `${env.cpus} × ${env.cpuModel}`],
      ['Memory', `${formatCount(env.totalMemoryMb)} MiB`],
      ['Host', env.hostname],
      ['Tracers used', tracers.length > 0 ? tracers.join(', ') : 'none recorded'],
    ]) +
    `<h3>Engines</h3>` + textTable(['scenario', 'requested', 'used', 'note'], engines) +
    `<h3>Fallbacks</h3>${fallbacks}</section>`
  );
}

/** One scenario's section: its facts, SLO table, charts, chaos and root-cause cards. */
import { escapeHtml } from '../escape.ts';
import { engineLabel, formatCount, formatDuration, formatMs, measuredWithInterval, sloLabel } from '../format.ts';
import type { BreakingPointResult, ScenarioResult } from '../../core/results-schema.ts';
import { intensityChart, percentileChart, timelineChart } from './charts.ts';
import { chaosExtras, explorationBlock, minimisationBlock, regressionBlock, serviceBlock } from './extras.ts';
import { findingCard, findingsOverflowTable } from './finding.ts';
import { badge, chaosBlock, kvList, notRecorded, verdictClass, type RenderBudget } from './parts.ts';
import { MAX_CARDS_PER_SCENARIO, findingAnchor, scenarioAnchor } from './sections.ts';
import { pacedText, shownPaced, shownStall, stallText } from '../console.ts';

function factsBlock(s: ScenarioResult): string {
  return kvList([
    ['File', s.file],
    ['Description', s.description ?? undefined],
    ['Status', s.statusReason === null ? s.status : `${s.status}: ${s.statusReason}`],
    ['Engine', s.engine.note === null ? engineLabel(s) : `${engineLabel(s)} — ${s.engine.note}`],
    ['Seed', String(s.seed)],
    ['Input', `${s.input.type}, max ${formatCount(s.input.maxLength)} bytes, ${s.input.seeds} seed(s) from ${s.input.corpusDir}`],
    ['Budget', `${formatDuration(s.budget.durationMs)}${s.budget.calls === null ? '' : ` or ${formatCount(s.budget.calls)} calls`}`],
    ['Duration', formatDuration(s.durationMs)],
    ['Calls', `${formatCount(s.calls)} (${formatCount(s.callsPerSecond)}/s), ${s.restarts} isolate restart(s)`],
    ['Latency', `p50 ${formatMs(s.latency.p50Ms)}, p90 ${formatMs(s.latency.p90Ms)}, p99 ${formatMs(s.latency.p99Ms)}, p99.9 ${formatMs(s.latency.p999Ms)}, max ${formatMs(s.latency.maxMs)}`],
    ['Per-call budget', formatMs(s.perCallBudgetMs)],
    ['Watchdog timeout', formatMs(s.timeoutMs)],
    ['Stalled', stallFact(s)],
    ['Paced', pacedFact(s)],
  ]);
}

/** Shown only when some of the phase was stalled: the time a call-count histogram cannot see. */
function stallFact(s: ScenarioResult): string | undefined {
  const stall = shownStall(s);
  return stall ? stallText(stall, s.timeoutMs) : undefined;
}

function pacedFact(s: ScenarioResult): string | undefined {
  const paced = shownPaced(s);
  return paced ? pacedText(paced) : undefined;
}

function sloTable(s: ScenarioResult): string {
  if (s.slos.length === 0) return '<p class="muted">No SLO thresholds in this scenario.</p>';
  const rows = s.slos
    .map((slo) => `<tr><td>${escapeHtml(sloLabel(slo))}</td><td>${badge(slo.verdict)}</td><td>${escapeHtml(measuredWithInterval(slo))}</td><td class="num">${escapeHtml(formatCount(slo.sampleCount))}</td><td>${escapeHtml(slo.explanation, { mark: true })}</td></tr>`)
    .join('');
  return `<table class="data"><thead><tr><th>SLO</th><th>verdict</th><th>measured [CI]</th><th>n</th><th>explanation</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function breakingPointBlock(bp: BreakingPointResult | undefined): string {
  if (!bp) return notRecorded('Breaking-point search');
  const unit = bp.knobUnit === null ? '' : ` ${bp.knobUnit}`;
  const where = bp.breakingPoint === null ? bp.status : `${bp.breakingPoint}${unit} (${bp.status})`;
  const facts = kvList([
    ['Knob', bp.knob],
    ['SLO tested', sloLabel(bp.slo)],
    ['Breaking point', where],
    ['Highest proven pass', bp.bracket.passing === null ? 'none' : `${bp.bracket.passing}${unit}`],
    ['Lowest proven fail', bp.bracket.failing === null ? 'none' : `${bp.bracket.failing}${unit}`],
    ['Estimated crossing', bp.crossingEstimate === undefined || bp.crossingEstimate === null ? undefined : `${+bp.crossingEstimate.toPrecision(3)}${unit} (interpolated from point estimates)`],
    ['Steps measured', `${bp.curve.length}${bp.steps === undefined ? '' : ` (${bp.steps} measurements, re-measurements included)`}`],
    ['Range searched', bp.range === undefined ? undefined : `${bp.range.lo}${unit} – ${bp.range.hi}${unit}${bp.tolerance === undefined ? '' : `, relative tolerance ${bp.tolerance}`}`],
    ['Undecidable band', bp.boundary === undefined || bp.boundary === null ? undefined : `${bp.boundary.lo}${unit} – ${bp.boundary.hi}${unit} (intervals still straddle the SLO after re-measuring: the measurement's resolution)`],
    ['Search time', bp.elapsedMs === undefined ? undefined : `${formatDuration(bp.elapsedMs)}${bp.budgetMs === undefined ? '' : ` of a ${formatDuration(bp.budgetMs)} budget`}`],
  ]);
  return facts + (bp.curve.length > 0 ? intensityChart(bp) : '');
}

export function scenarioSection(s: ScenarioResult, index: number, budget: RenderBudget): string {
  const out: string[] = [];
  out.push(`<section class="scenario verdict-${verdictClass(s.verdict)}" id="${scenarioAnchor(index)}">`);
  out.push(`<h2>${escapeHtml(s.name, { mark: true })} ${badge(s.verdict)}</h2>`);
  out.push(factsBlock(s));
  out.push('<h3>SLOs</h3>', sloTable(s));
  // A service's SLO is judged on the corrected latency: show it beside the uncorrected one right away.
  if (s.service) out.push('<h3>Service under load</h3>', serviceBlock(s.service, budget));
  out.push('<h3>Latency distribution</h3>', s.latency.count > 0 ? percentileChart(s) : notRecorded('Latency samples'));
  out.push('<h3>Latency over time</h3>', s.timeline && s.timeline.length > 0 ? timelineChart(s, s.timeline) : notRecorded('Latency timeline'));
  out.push('<h3>Breaking point</h3>', breakingPointBlock(s.breakingPoint));
  out.push('<h3>Chaos</h3>', chaosBlock(s.chaos), s.chaos ? chaosExtras(s.chaos) : '');
  if (s.exploration) out.push('<h3>Exploration phase</h3>', explorationBlock(s.exploration));
  if (s.regression) out.push('<h3>Regression replays</h3>', regressionBlock(s.regression));
  if (s.minimisation) out.push('<h3>Confirmation and minimisation of findings</h3>', minimisationBlock(s.minimisation));
  out.push(`<h3>Findings (${s.findings.length})</h3>`);
  if (s.findings.length === 0) out.push('<p class="muted">No findings: no call exceeded the per-call budget, crashed or hung.</p>');
  s.findings.slice(0, MAX_CARDS_PER_SCENARIO).forEach((f, j) => out.push(findingCard(f, s, findingAnchor(index, j), budget)));
  if (s.findings.length > MAX_CARDS_PER_SCENARIO) {
    out.push(`<p class="note">${s.findings.length - MAX_CARDS_PER_SCENARIO} more finding(s), listed without cards:</p>`);
    out.push(findingsOverflowTable(s.findings.slice(MAX_CARDS_PER_SCENARIO)));
  }
  out.push('</section>');
  return out.join('');
}

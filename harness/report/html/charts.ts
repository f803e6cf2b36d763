/**
 * The report's charts as inline SVG strings: percentile distribution (HDR style), latency
 * over time with fault windows shaded, P99 versus chaos intensity with the breaking-point
 * bracket, and the pumped-size growth curve of a finding. Pure functions of results data.
 */
import { escapeHtml } from '../escape.ts';
import { formatMs } from '../format.ts';
import type { BreakingPointResult, FaultWindow, GrowthFit, ScenarioResult, SloResult, TimelineWindow } from '../../core/results-schema.ts';
import { percentileCurve, quantileAxisLabel, quantileAxisPosition } from './percentiles.ts';
import {
  DEFAULT_BOX, dot, extent, horizontalRule, linePath, linearTicks, logTicks, makeScale, plotArea, px, svgOpen, whisker, xAxis, yAxis,
  type Scale,
} from './svg.ts';

const METRIC_QUANTILE: Record<SloResult['metric'], number> = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999, max: 1 };

/** A latency y-scale: log when the values span more than two decades, else linear from 0. */
function latencyScale(values: number[], range: [number, number]): { scale: Scale; ticks: number[] } {
  const [lo, hi] = extent(values.filter((v) => v > 0)) ?? [0.001, 1];
  if (hi / lo > 100) {
    const scale = makeScale([lo / 1.2, hi * 1.2], range, true);
    return { scale, ticks: logTicks(scale.domain[0], scale.domain[1]) };
  }
  const scale = makeScale([0, hi * 1.1], range);
  return { scale, ticks: linearTicks(0, hi * 1.1) };
}

function verdictClass(verdict: SloResult['verdict']): string {
  return verdict === 'PASS' ? 'pass' : verdict === 'FAIL' ? 'fail' : 'inc';
}

/** HDR-style percentile plot: x = log10(1/(1-q)), y = latency, SLO thresholds and their measured CIs. */
export function percentileChart(scenario: ScenarioResult): string {
  const box = DEFAULT_BOX;
  const area = plotArea(box);
  const curve = percentileCurve(scenario.latency);
  const xMax = Math.max(1, Math.ceil(quantileAxisPosition(1, curve.count)));
  const x = makeScale([0, xMax], [area.x0, area.x1]);
  const yValues = [...curve.points.map((p) => p.valueMs), ...scenario.slos.flatMap((s) => [s.thresholdMs, s.interval.upperMs])];
  const { scale: y, ticks } = latencyScale(yValues, [area.y0, area.y1]);
  const parts = [svgOpen(box, `Latency percentile distribution of ${scenario.name}`)];
  parts.push(xAxis(box, x, { ticks: linearTicks(0, xMax, xMax).filter(Number.isInteger), format: quantileAxisLabel, label: 'percentile (log scale of 1/(1-q))' }));
  parts.push(yAxis(box, y, { ticks, format: formatMs, label: 'latency' }));
  parts.push(linePath(curve.points.map((p) => [x(quantileAxisPosition(p.q, curve.count)), y(p.valueMs)]), 'series'));
  scenario.slos.forEach((slo, i) => {
    const cls = verdictClass(slo.verdict);
    parts.push(horizontalRule(box, y(slo.thresholdMs), `${slo.metric} SLO ${formatMs(slo.thresholdMs)}`, `slo ${cls}`, i));
    const xq = x(quantileAxisPosition(METRIC_QUANTILE[slo.metric], curve.count));
    parts.push(whisker(xq, y(slo.interval.lowerMs), y(slo.interval.upperMs), `whisker ${cls}`));
    parts.push(dot(xq, y(slo.observedMs), `dot ${cls}`, `${slo.metric} ${formatMs(slo.observedMs)} [${formatMs(slo.interval.lowerMs)} – ${formatMs(slo.interval.upperMs)}] ${slo.verdict}`));
  });
  parts.push('</svg>');
  return `<figure>${parts.join('')}<figcaption>Percentile distribution of ${escapeHtml(curve.count)} calls (from the ${curve.source}); whiskers are the SLO metrics' confidence intervals.</figcaption></figure>`;
}

function faultShading(windows: readonly FaultWindow[], x: Scale, area: ReturnType<typeof plotArea>): string {
  return windows
    .map((w) => {
      const left = Math.max(area.x0, x(w.startMs / 1000));
      const right = Math.min(area.x1, x(w.endMs / 1000));
      if (!(right > left)) return '';
      return `<g class="fault"><rect x="${px(left)}" y="${px(area.y1)}" width="${px(right - left)}" height="${px(area.y0 - area.y1)}"><title>${escapeHtml(w.label)}: ${escapeHtml(formatMs(w.startMs))} – ${escapeHtml(formatMs(w.endMs))}</title></rect><text x="${px(left + 3)}" y="${px(area.y1 + 12)}">${escapeHtml(w.label.slice(0, 40))}</text></g>`;
    })
    .join('');
}

/** P99 per window over the measured phase; fault windows shaded, SLO thresholds and findings marked. */
export function timelineChart(scenario: ScenarioResult, windows: readonly TimelineWindow[]): string {
  const box = DEFAULT_BOX;
  const area = plotArea(box);
  const faults = scenario.chaos?.faultWindows ?? [];
  const tEnd = Math.max(...windows.map((w) => w.tStartMs + w.durationMs), ...faults.map((f) => f.endMs), 1) / 1000;
  const x = makeScale([0, tEnd], [area.x0, area.x1]);
  const p99s = windows.map((w) => w.p99Ms).filter((v): v is number => v !== null);
  const thresholds = scenario.slos.filter((s) => s.metric === 'p99' || s.metric === 'p999').map((s) => s.thresholdMs);
  const { scale: y, ticks } = latencyScale([...p99s, ...thresholds], [area.y0, area.y1]);
  const parts = [svgOpen(box, `Latency over time of ${scenario.name}`)];
  parts.push(faultShading(faults, x, area));
  parts.push(xAxis(box, x, { ticks: linearTicks(0, tEnd), format: (s) => `${s} s`, label: 'time since scenario start' }));
  parts.push(yAxis(box, y, { ticks, format: formatMs, label: 'p99 per window' }));
  scenario.slos
    .filter((s) => thresholds.includes(s.thresholdMs))
    .forEach((slo, i) => parts.push(horizontalRule(box, y(slo.thresholdMs), `${slo.metric} SLO ${formatMs(slo.thresholdMs)}`, `slo ${verdictClass(slo.verdict)}`, i)));
  const centre = (w: TimelineWindow): number => x((w.tStartMs + w.durationMs / 2) / 1000);
  parts.push(linePath(windows.filter((w) => w.p99Ms !== null).map((w) => [centre(w), y(w.p99Ms as number)]), 'series'));
  for (const w of windows.filter((win) => win.errors > 0)) {
    parts.push(`<path class="error-mark" d="M${px(centre(w))} ${px(area.y0)}v-8"><title>${escapeHtml(w.errors)} errors</title></path>`);
  }
  for (const f of scenario.findings.filter((fd) => fd.offsetMs !== undefined)) {
    parts.push(`<path class="finding-mark" d="M${px(x((f.offsetMs as number) / 1000))} ${px(area.y1)}v10"><title>finding ${escapeHtml(f.id.slice(0, 12))} (${escapeHtml(f.kind)})</title></path>`);
  }
  parts.push('</svg>');
  const caption = faults.length > 0 ? `${faults.length} fault window(s) shaded.` : 'No fault windows recorded.';
  return `<figure>${parts.join('')}<figcaption>P99 per window. ${escapeHtml(caption)} Red ticks: windows with errors; top ticks: first occurrence of findings.</figcaption></figure>`;
}

function verticalMarker(xPixel: number, area: ReturnType<typeof plotArea>, label: string, cssClass: string, row: number): string {
  const xp = px(xPixel);
  return `<g class="${cssClass}"><line x1="${xp}" x2="${xp}" y1="${px(area.y0)}" y2="${px(area.y1)}"/><text x="${xp}" y="${px(area.y1 + 12 + row * 13)}" dx="4">${escapeHtml(label)}</text></g>`;
}

/** P99 (with CI whiskers) and P50 against the knob, the SLO line, the bracket and the breaking point. */
export function intensityChart(bp: BreakingPointResult): string {
  const box = DEFAULT_BOX;
  const area = plotArea(box);
  const curve = [...bp.curve].sort((a, b) => a.intensity - b.intensity);
  const { passing, failing } = bp.bracket;
  const knobValues = [...curve.map((p) => p.intensity), ...[passing, failing].filter((v): v is number => v !== null)];
  const [kLo, kHi] = extent(knobValues) ?? [0, 1];
  const logX = kLo > 0 && kHi / kLo >= 100;
  const x = makeScale(logX ? [kLo / 1.2, kHi * 1.2] : [Math.min(0, kLo), kHi * 1.05], [area.x0, area.x1], logX);
  const finiteUppers = curve.map((p) => p.p99UpperMs).filter((v): v is number => v !== null);
  const { scale: y, ticks } = latencyScale([...curve.flatMap((p) => [p.p50Ms, p.p99Ms, p.p99LowerMs]), ...finiteUppers, bp.slo.thresholdMs], [area.y0, area.y1]);
  const unit = bp.knobUnit === null ? '' : ` ${bp.knobUnit}`;
  const parts = [svgOpen(box, `${bp.slo.metric} versus ${bp.knob}`)];
  if (passing !== null && failing !== null) {
    const left = x(passing);
    parts.push(`<rect class="bracket" x="${px(left)}" y="${px(area.y1)}" width="${px(Math.max(2, x(failing) - left))}" height="${px(area.y0 - area.y1)}"><title>bracket: passes at ${escapeHtml(passing)}${escapeHtml(unit)}, fails at ${escapeHtml(failing)}${escapeHtml(unit)}</title></rect>`);
  }
  const xTicks = logX ? logTicks(x.domain[0], x.domain[1]) : linearTicks(x.domain[0], x.domain[1]);
  parts.push(xAxis(box, x, { ticks: xTicks, format: (v) => `${v}${unit}`, label: bp.knob }));
  parts.push(yAxis(box, y, { ticks, format: formatMs, label: 'latency' }));
  parts.push(horizontalRule(box, y(bp.slo.thresholdMs), `${bp.slo.metric} SLO ${formatMs(bp.slo.thresholdMs)}`, 'slo fail'));
  parts.push(linePath(curve.map((p) => [x(p.intensity), y(p.p50Ms)]), 'series secondary'));
  parts.push(linePath(curve.map((p) => [x(p.intensity), y(p.p99Ms)]), 'series'));
  for (const p of curve) {
    // An unbounded upper end (too few samples) is drawn to the top of the plot.
    const upper = p.p99UpperMs === null ? area.y1 : y(p.p99UpperMs);
    parts.push(whisker(x(p.intensity), y(p.p99LowerMs), upper, p.p99UpperMs === null ? 'whisker inc' : 'whisker'));
    parts.push(dot(x(p.intensity), y(p.p99Ms), 'dot', `${p.intensity}${unit}: p99 ${formatMs(p.p99Ms)} [${formatMs(p.p99LowerMs)} – ${p.p99UpperMs === null ? 'unbounded' : formatMs(p.p99UpperMs)}], p50 ${formatMs(p.p50Ms)}, n=${p.samples}, errors=${p.errors}`));
  }
  if (bp.breakingPoint !== null) parts.push(verticalMarker(x(bp.breakingPoint), area, `breaking point ${bp.breakingPoint}${unit}`, 'breaking', 0));
  if (bp.crossingEstimate !== undefined && bp.crossingEstimate !== null) {
    parts.push(verticalMarker(x(bp.crossingEstimate), area, `estimated crossing ${+bp.crossingEstimate.toPrecision(3)}${unit}`, 'breaking estimate', 1));
  }
  parts.push('</svg>');
  return `<figure>${parts.join('')}<figcaption>Solid: ${escapeHtml(bp.slo.metric)} with confidence-interval whiskers; dashed: p50; shaded: the bracket between the highest proven pass and the lowest proven fail.</figcaption></figure>`;
}

/** Coefficient a of the fitted shape (least squares in log space), so the fit line can be drawn. */
export function fittedLatency(growth: GrowthFit): ((n: number) => number) | null {
  const pts = growth.points.filter((p) => p.n > 0 && p.latencyMs > 0);
  if (pts.length === 0) return null;
  const k = growth.exponentOrBase;
  const shape = (n: number): number => {
    if (growth.class === 'exponential') return n * Math.log(k);
    if (growth.class === 'constant') return 0;
    return (growth.class === 'linear' ? 1 : k) * Math.log(n);
  };
  const logA = pts.reduce((sum, p) => sum + Math.log(p.latencyMs) - shape(p.n), 0) / pts.length;
  return (n: number) => Math.exp(logA + shape(n));
}

/** Latency against pumped input size, with the fitted curve, the budget and the predicted crossing. */
export function growthChart(growth: GrowthFit, budgetMs: number): string {
  const box = DEFAULT_BOX;
  const area = plotArea(box);
  const ns = growth.points.map((p) => p.n);
  const crossing = growth.predictedCrossingSize;
  const [nLo, nHi0] = extent(ns) ?? [1, 10];
  const nHi = crossing !== null && crossing > nHi0 && crossing <= nHi0 * 10 ? crossing : nHi0;
  const logX = nLo > 0 && nHi / nLo >= 10;
  const x = makeScale(logX ? [nLo / 1.2, nHi * 1.2] : [0, nHi * 1.05], [area.x0, area.x1], logX);
  const { scale: y, ticks } = latencyScale([...growth.points.map((p) => p.latencyMs), budgetMs], [area.y0, area.y1]);
  const parts = [svgOpen(box, `Latency versus input size (${growth.class})`)];
  parts.push(xAxis(box, x, { ticks: logX ? logTicks(x.domain[0], x.domain[1]) : linearTicks(0, x.domain[1]), format: (v) => `${v}`, label: 'input size n (bytes)' }));
  parts.push(yAxis(box, y, { ticks, format: formatMs, label: 'latency' }));
  parts.push(horizontalRule(box, y(budgetMs), `budget ${formatMs(budgetMs)}`, 'slo fail'));
  const fit = fittedLatency(growth);
  if (fit) {
    const samples = Array.from({ length: 40 }, (_, i) => x.domain[0] + ((x.domain[1] - x.domain[0]) * i) / 39);
    const grid = logX ? samples.map((_, i) => x.domain[0] * (x.domain[1] / x.domain[0]) ** (i / 39)) : samples;
    const inView = grid.filter((n) => fit(n) >= y.domain[0] && fit(n) <= y.domain[1]);
    parts.push(linePath(inView.map((n) => [x(n), y(fit(n))]), 'series secondary'));
  }
  parts.push(linePath(growth.points.map((p) => [x(p.n), y(p.latencyMs)]), 'series'));
  for (const p of growth.points) parts.push(dot(x(p.n), y(p.latencyMs), 'dot', `n=${p.n}: ${formatMs(p.latencyMs)}`));
  if (crossing !== null && crossing <= x.domain[1]) parts.push(verticalMarker(x(crossing), area, `predicted crossing n=${Math.round(crossing)}`, 'breaking', 0));
  parts.push('</svg>');
  return `<figure>${parts.join('')}<figcaption>Median latency of repeated calls at each pumped size (solid) and the fitted ${escapeHtml(growth.class)} shape (dashed).</figcaption></figure>`;
}

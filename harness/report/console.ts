/**
 * The console summary printed at the end of a run: a table of scenario x SLO verdicts,
 * findings with their replay commands, the baseline comparison and the report's path.
 * Plain text with column widths computed from the content; ANSI colour only when asked
 * (a TTY without NO_COLOR). Every string from results passes through escapeTerminal, so
 * escape sequences in fuzzed bytes or target messages never reach the terminal.
 */
import { escapeTerminal, truncateText } from './escape.ts';
import {
  breakingPointText, engineLabel, formatBytes, formatCount, formatDeltaMs, formatDuration, formatMs, formatRelative, measuredWithInterval, overallVerdict, sloLabel,
} from './format.ts';
import type { BaselineComparison, PacedCallsSummary, ResultsFile, ScenarioResult, StallSummary } from '../core/results-schema.ts';

export interface ConsoleOptions {
  /** Use ANSI colours for verdicts. */
  color: boolean;
  /** Path of the HTML report, printed last. */
  reportPath?: string;
  /** Findings listed per scenario before "... and N more". Default 5. */
  maxFindings?: number;
}

const ANSI = { red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

function paint(text: string, colour: keyof typeof ANSI, enabled: boolean): string {
  return enabled ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
}

function verdictColour(verdict: string): keyof typeof ANSI {
  return verdict === 'PASS' ? 'green' : verdict === 'FAIL' ? 'red' : 'yellow';
}

/** Display width of a cell, counting code points (fixture names are not East Asian wide). */
function width(text: string): number {
  return [...text].length;
}

/** Safe, single-line, bounded cell text. */
function cell(value: unknown, max = 48): string {
  const safe = escapeTerminal(value);
  return width(safe) > max ? `${truncateText(safe, max - 1).text}…` : safe;
}

/**
 * Renders rows as aligned columns. Cells are plain text; `colourCol` (the verdict column)
 * is painted after padding so the escape codes do not disturb the widths.
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, colourCol = -1, color = false): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[], isHeader: boolean): string =>
    cells
      .map((c, i) => {
        const padded = c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(c)));
        return !isHeader && i === colourCol ? paint(padded, verdictColour(c.trim()), color) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), line(widths.map((w) => '-'.repeat(w)), true), ...rows.map((r) => line(r, false))].join('\n');
}

function sloRows(results: ResultsFile): string[][] {
  const rows = results.scenarios.flatMap((s) => {
    const common = [engineLabel(s), String(s.seed), formatDuration(s.durationMs)];
    if (s.slos.length === 0) return [[s.name, 'no SLO', s.verdict, `p99 ${formatMs(s.latency.p99Ms)}`, '', formatCount(s.calls), ...common]];
    return s.slos.map((slo) => [s.name, sloLabel(slo), slo.verdict, measuredWithInterval(slo), formatMs(slo.thresholdMs), formatCount(slo.sampleCount), ...common]);
  });
  return rows.map((row) => row.map((c, i) => cell(c, i === 0 ? 32 : 64)));
}

function findingLines(results: ResultsFile, max: number): string[] {
  const lines: string[] = [];
  for (const s of results.scenarios) {
    for (const f of s.findings.slice(0, max)) {
      lines.push(`  ${cell(s.name, 32)}  ${cell(f.kind)}  ${formatMs(f.latencyMs)} vs budget ${formatMs(f.budgetMs)}  input ${formatBytes(f.input.size)}: "${cell(f.input.preview, 60)}"`);
      lines.push(`    replay: ${cell(f.replay, 400)}`);
    }
    if (s.findings.length > max) lines.push(`  ${cell(s.name, 32)}: ... and ${s.findings.length - max} more (see the report)`);
  }
  return lines;
}

function baselineLines(comparison: BaselineComparison, color: boolean): string[] {
  const rows = comparison.slos.map((c) => {
    const label = c.change === 'unchanged' ? 'unchanged (intervals overlap)' : c.change;
    return [
      cell(c.scenario, 32),
      c.metric,
      c.current ? formatMs(c.current.observedMs) : '-',
      c.baseline ? formatMs(c.baseline.observedMs) : '-',
      formatDeltaMs(c.deltaMs),
      formatRelative(c.deltaRatio),
      c.change === 'regressed' ? paint(label, 'red', color) : c.change === 'improved' ? paint(label, 'green', color) : label,
    ];
  });
  return [
    `Baseline: run ${cell(comparison.baselineRunId, 80)} (${cell(comparison.baselineStartedAt)})`,
    formatTable(['scenario', 'metric', 'now', 'baseline', 'change', 'relative', 'verdict'], rows),
    `New findings: ${comparison.newFindings.length}${comparison.newFindings.length > 0 ? ` (${comparison.newFindings.slice(0, 5).map((f) => `${cell(f.scenario, 32)}/${cell(f.id.slice(0, 12))}`).join(', ')})` : ''}; fixed: ${comparison.fixedFindings.length}; still present: ${comparison.persistingFindings}`,
  ];
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The stall figures when there is one to show (a re-read results.json may carry anything). */
export function shownStall(s: ScenarioResult): StallSummary | null {
  const st: unknown = s.stall;
  if (typeof st !== 'object' || st === null) return null;
  const { stalledMs, phaseWallMs, share } = st as Partial<StallSummary>;
  return isNumber(stalledMs) && isNumber(phaseWallMs) && isNumber(share) && share > 0 ? { stalledMs, phaseWallMs, share } : null;
}

/** "44.0% of the measured phase (12.0 s of 27.3 s) in calls that hung or were still running at its end (timeout 2.00 s)" */
export function stallText(stall: StallSummary, timeoutMs: number): string {
  const pct = Math.min(100, Math.max(0, stall.share * 100));
  return `${pct.toFixed(pct >= 10 ? 0 : 1)}% of the measured phase (${formatDuration(stall.stalledMs)} of ${formatDuration(stall.phaseWallMs)}) in calls that hung or were still running at its end (timeout ${formatMs(timeoutMs)})`;
}

/** The paced-call figures when present and well formed. */
export function shownPaced(s: ScenarioResult): PacedCallsSummary | null {
  const p: unknown = s.paced;
  if (typeof p !== 'object' || p === null) return null;
  const { rate, corrected, raw } = p as Partial<PacedCallsSummary>;
  const figures = (f: unknown): boolean => typeof f === 'object' && f !== null && isNumber((f as { p99Ms?: unknown }).p99Ms);
  if (!isNumber(rate) || !figures(corrected) || !(raw === null || figures(raw))) return null;
  return p as PacedCallsSummary;
}

/** "paced at 1,000 calls/s: p99 612 ms corrected (2.01 ms raw)" */
export function pacedText(paced: PacedCallsSummary): string {
  const raw = paced.raw ? `${formatMs(paced.raw.p99Ms)} raw, from each call's actual start` : 'raw not recorded';
  return `paced at ${formatCount(paced.rate)} calls/s: p99 ${formatMs(paced.corrected.p99Ms)} corrected, from each call's intended start (${raw})`;
}

/** `--regression` replays and HTTP service figures, one line per scenario that has them. */
function sectionLines(results: ResultsFile, max: number): string[] {
  const lines: string[] = [];
  for (const s of results.scenarios) {
    const r = s.regression;
    if (r) {
      lines.push(`  ${cell(s.name, 32)}: regression: ${r.replayed} replayed, ${r.stillFailing} still failing, ${r.fixed} fixed, ${r.errors} not replayable`);
      for (const e of r.entries.filter((x) => x.status !== 'fixed').slice(0, max)) lines.push(`    ${e.status} ${cell(e.id.slice(0, 12))} median ${formatMs(e.medianMs)} vs ${formatMs(e.budgetMs)}: ${cell(e.metaFile, 200)}`);
    }
    const stall = shownStall(s);
    if (stall) lines.push(`  ${cell(s.name, 32)}: stalled: ${cell(stallText(stall, s.timeoutMs), 200)}`);
    const paced = shownPaced(s);
    if (paced) lines.push(`  ${cell(s.name, 32)}: ${cell(pacedText(paced), 200)}`);
    if (s.breakingPoint) lines.push(`  ${cell(s.name, 32)}: breaking point ${cell(breakingPointText(s), 200)}`);
    const svc = s.service;
    if (svc) {
      const e = svc.errors;
      // 4xx answers are the service refusing bad requests (an authz deny is a 403): shown apart from failures.
      const failed = e.timeout + e.connection + e.status5xx + e.other;
      lines.push(
        `  ${cell(s.name, 32)}: service p99 ${formatMs(svc.corrected.p99Ms)} corrected (${formatMs(svc.uncorrected.p99Ms)} uncorrected), ${formatCount(svc.achievedRate)}/${formatCount(svc.rate)} req/s, ${formatCount(failed)} failed (${formatCount(e.timeout)} timeouts, ${formatCount(e.status5xx)} 5xx), ${formatCount(e.status4xx)} 4xx`,
      );
    }
  }
  return lines;
}

/** The summary as one string (no trailing newline). */
export function renderConsoleSummary(results: ResultsFile, options: ConsoleOptions): string {
  const { run } = results;
  const t = run.totals;
  const overall = overallVerdict(results);
  const out: string[] = [];
  out.push(`${paint(overall, verdictColour(overall), options.color)}  slo-harness run ${cell(run.id, 80)}  (${run.status}, exit ${run.exitCode}, seed ${run.seed}, ${formatDuration(run.durationMs)})`);
  out.push('');
  out.push(formatTable(['scenario', 'SLO', 'verdict', 'measured [CI]', 'threshold', 'n', 'engine', 'seed', 'duration'], sloRows(results), 2, options.color));
  const findings = findingLines(results, options.maxFindings ?? 5);
  if (findings.length > 0) out.push('', `Findings (${t.findings}):`, ...findings);
  const sections = sectionLines(results, options.maxFindings ?? 5);
  if (sections.length > 0) out.push('', ...sections);
  for (const s of results.scenarios.filter((x) => x.status !== 'complete')) {
    out.push(`  ${cell(s.name, 32)} ended ${s.status}: ${cell(s.statusReason ?? '', 200)}`);
  }
  if (results.environment.fallbacks.length > 0) {
    out.push('', 'Fallbacks:', ...results.environment.fallbacks.map((f) => `  ${cell(f.component)}: wanted ${cell(f.wanted)}, used ${cell(f.used)} (${cell(f.reason, 160)})`));
  }
  if (results.baseline) out.push('', ...baselineLines(results.baseline, options.color));
  out.push('', `${t.scenarios} scenario(s): ${t.passed} passed, ${t.failed} failed, ${t.inconclusive} inconclusive; ${t.findings} finding(s)`);
  if (options.reportPath !== undefined) out.push(`Report: ${cell(options.reportPath, 400)}`);
  return out.join('\n');
}

/** Colour when writing to a TTY, unless NO_COLOR is set or TERM is dumb. */
export function shouldUseColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Writes the summary to a stream (stdout by default). */
export function printConsoleSummary(
  results: ResultsFile,
  options: Omit<ConsoleOptions, 'color'> & { stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {},
): void {
  const stream = options.stream ?? process.stdout;
  stream.write(`${renderConsoleSummary(results, { ...options, color: shouldUseColor(stream) })}\n`);
}

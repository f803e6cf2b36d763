/** The plain-text summary table printed at the end of a run. */
import { formatMs } from '../scenario/duration.ts';
import type { ResultsFile } from '../report/results-schema.ts';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatSummary(results: ResultsFile): string {
  const rows: string[][] = [['scenario', 'slo', 'observed', '95% CI', 'n', 'verdict']];
  const findings: string[] = [];
  for (const s of results.scenarios) {
    for (const slo of s.slos) {
      const upper = slo.interval.upperRank === null && slo.metric !== 'max' ? '∞' : formatMs(slo.interval.upperMs);
      rows.push([s.name, `${slo.metric} < ${formatMs(slo.thresholdMs)}`, formatMs(slo.observedMs), `${formatMs(slo.interval.lowerMs)}..${upper}`, String(slo.sampleCount), slo.verdict]);
    }
    if (s.status !== 'complete') rows.push([s.name, '(run)', '', '', '', `${s.status.toUpperCase()}: ${s.statusReason ?? ''}`]);
    for (const f of s.findings) {
      findings.push(`  ${s.name}: ${f.kind} ${formatMs(f.latencyMs)} (budget ${formatMs(f.budgetMs)}) input "${f.input.preview.slice(0, 60)}"\n    replay: ${f.replay}`);
    }
  }
  const t = results.run.totals;
  const lines = [table(rows)];
  if (findings.length > 0) lines.push(`findings (${findings.length}):`, ...findings);
  lines.push(`${t.scenarios} scenarios: ${t.passed} passed, ${t.failed} failed, ${t.inconclusive} inconclusive, ${t.findings} findings; seed ${results.run.seed}; exit ${results.run.exitCode}`);
  return lines.join('\n');
}

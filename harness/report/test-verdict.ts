/**
 * The failure message of a scenario run used as a test (the vitest entry point, and any
 * other runner): which SLOs failed with their measured values and intervals, which
 * findings were recorded, and the commands that replay them. Terminal-safe.
 */
import { escapeTerminal, truncateText } from './escape.ts';
import { formatBytes, formatMs, sloVerdictLine } from './format.ts';
import type { ScenarioResult } from '../core/results-schema.ts';

export interface TestVerdictOptions {
  /**
   * Let INCONCLUSIVE scenarios pass. Default false: a gate that could not decide (too few
   * samples for the percentile, or an interval straddling the threshold) fails and says
   * how many samples would decide, rather than letting a regression through silently.
   */
  allowInconclusive?: boolean;
  /** Findings listed per scenario. Default 5. */
  maxFindings?: number;
}

function safe(value: string, max: number): string {
  return escapeTerminal(truncateText(value, max).text);
}

function scenarioLines(s: ScenarioResult, maxFindings: number): string[] {
  const lines = [`${safe(s.name, 120)}: ${s.verdict}${s.status === 'complete' ? '' : ` (${s.status}${s.statusReason ? `: ${safe(s.statusReason, 300)}` : ''})`}`];
  for (const slo of s.slos) {
    lines.push(`  ${sloVerdictLine(slo)}`);
    if (slo.verdict !== 'PASS') lines.push(`    ${safe(slo.explanation, 500)}`);
    if (slo.verdict === 'INCONCLUSIVE' && slo.samplesToDecide !== null) lines.push(`    about ${slo.samplesToDecide} samples would decide: raise the budget`);
  }
  for (const f of s.findings.slice(0, maxFindings)) {
    lines.push(`  finding ${safe(f.kind, 20)} ${safe(f.id.slice(0, 12), 12)}: ${formatMs(f.latencyMs)} vs per-call budget ${formatMs(f.budgetMs)}, input ${formatBytes(f.input.size)} "${safe(f.input.preview, 80)}"`);
    lines.push(`    replay: ${safe(f.replay, 1000)}`);
  }
  if (s.findings.length > maxFindings) lines.push(`  ... and ${s.findings.length - maxFindings} more finding(s)`);
  if (s.findings.length === 0 && s.verdict !== 'PASS') lines.push(`  replay the run with --seed ${s.seed}`);
  return lines;
}

/** Null when every scenario passes (or is inconclusive and that is allowed); else the message. */
export function testFailureMessage(results: readonly ScenarioResult[], options: TestVerdictOptions = {}): string | null {
  if (results.length === 0) return 'slo-harness: the scenario file produced no scenarios to run';
  const failing = results.filter((s) => s.verdict === 'FAIL' || s.status === 'error' || (s.verdict === 'INCONCLUSIVE' && !options.allowInconclusive));
  if (failing.length === 0) return null;
  const header = `slo-harness: ${failing.length} of ${results.length} scenario(s) did not pass`;
  return [header, ...failing.flatMap((s) => scenarioLines(s, options.maxFindings ?? 5))].join('\n');
}

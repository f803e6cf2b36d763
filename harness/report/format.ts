/**
 * Number and label formatting shared by the HTML, JUnit and console reports, so the same
 * measurement reads the same everywhere. Output is plain text: callers escape it.
 */
import { shellQuote } from '../core/display-path.ts';
import type { ResultsFile, ScenarioResult, SloResult, Verdict } from '../core/results-schema.ts';

/** Latency with a unit chosen for its magnitude: 850 us, 4.21 ms, 1.25 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return 'n/a';
  if (!Number.isFinite(ms)) return '∞';
  if (ms === 0) return '0';
  const abs = Math.abs(ms);
  if (abs < 1) return `${trimNumber(ms * 1000, abs < 0.01 ? 2 : abs < 0.1 ? 1 : 0)} us`;
  if (abs < 10) return `${trimNumber(ms, 2)} ms`;
  if (abs < 1000) return `${trimNumber(ms, 1)} ms`;
  return `${trimNumber(ms / 1000, abs < 10_000 ? 2 : 1)} s`;
}

function trimNumber(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** Wall-clock duration: 850 ms, 12.3 s, 4 m 05 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

/** Integer with thousands separators: 1,000,000. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes: 512 B, 4.0 KiB, 1.0 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A fraction in [0, 1] as a percentage: 0.123 -> 12.3%. */
export function formatShare(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.001 && fraction > 0 ? 2 : 1)}%`;
}

/** Signed relative change: 0.25 -> +25.0%. */
export function formatRelative(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return 'n/a';
  const sign = ratio > 0 ? '+' : ratio < 0 ? '−' : '±';
  return `${sign}${Math.abs(ratio * 100).toFixed(1)}%`;
}

/** Signed latency change: +1.20 ms. */
export function formatDeltaMs(deltaMs: number | null): string {
  if (deltaMs === null) return 'n/a';
  const sign = deltaMs > 0 ? '+' : deltaMs < 0 ? '−' : '±';
  return `${sign}${formatMs(Math.abs(deltaMs))}`;
}

/** The SLO as a sentence fragment: "p99 < 5.00 ms" (`max` reads "max < 1.0 s"). */
export function sloLabel(slo: Pick<SloResult, 'metric' | 'thresholdMs'>): string {
  return `${slo.metric} < ${formatMs(slo.thresholdMs)}`;
}

/** The measured value with its interval: "7.21 ms [95% CI 6.80 ms – 7.90 ms]". */
export function measuredWithInterval(slo: SloResult): string {
  const level = Math.round(slo.interval.confidence * 1000) / 10;
  return `${formatMs(slo.observedMs)} [${level}% CI ${formatMs(slo.interval.lowerMs)} – ${formatMs(slo.interval.upperMs)}]`;
}

/** One line per SLO for failure messages: "FAIL p99 < 5.00 ms: measured 7.21 ms [95% CI ...], n=12,000". */
export function sloVerdictLine(slo: SloResult): string {
  return `${slo.verdict} ${sloLabel(slo)}: measured ${measuredWithInterval(slo)}, n=${formatCount(slo.sampleCount)}`;
}

/** The scenario's engine as shown: "builtin" or "builtin (wanted jazzer)". */
export function engineLabel(scenario: ScenarioResult): string {
  const { requested, used } = scenario.engine;
  return requested === used || requested === 'auto' ? used : `${used} (wanted ${requested})`;
}

/** The run's command line as a shell-like string; arguments a shell would alter are single-quoted (core/display-path.ts). */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** The run's overall verdict: FAIL if anything failed, INCONCLUSIVE if anything was undecided or the run did not complete, else PASS. */
export function overallVerdict(results: ResultsFile): Verdict {
  const t = results.run.totals;
  if (t.failed > 0 || t.findings > 0) return 'FAIL';
  if (t.inconclusive > 0 || results.run.status !== 'complete') return 'INCONCLUSIVE';
  return 'PASS';
}

/** The breaking point in one line (overview table, console): proven bounds and the estimate when the search was cut short. */
export function breakingPointText(scenario: ScenarioResult): string {
  const bp = scenario.breakingPoint;
  if (!bp) return 'not recorded';
  const unit = bp.knobUnit === null ? '' : ` ${bp.knobUnit}`;
  if (bp.status === 'found' && bp.breakingPoint !== null) {
    const bracket = bp.bracket.passing !== null ? ` (passes at ${round(bp.bracket.passing)}${unit})` : '';
    return `${bp.knob} = ${round(bp.breakingPoint)}${unit}${bracket}`;
  }
  // A search cut short still bounds the answer: say what was proven and where it likely is.
  const known: string[] = [];
  if (bp.bracket.failing !== null) known.push(`fails at ${round(bp.bracket.failing)}${unit}`);
  if (bp.bracket.passing !== null) known.push(`passes at ${round(bp.bracket.passing)}${unit}`);
  if (bp.crossingEstimate != null) known.push(`crossing estimated at ${round(bp.crossingEstimate)}${unit}`);
  return known.length > 0 ? `${bp.knob}: ${known.join(', ')} (search ${bp.status})` : `${bp.knob}: ${bp.status}`;
}

function round(value: number): string {
  return Number(value.toPrecision(3)).toString();
}

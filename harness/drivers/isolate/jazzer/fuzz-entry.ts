/**
 * Jazzer.js fuzz target for a scenario (loaded by Jazzer's CLI in a child process, see
 * run-jazzer.ts): wraps the scenario's target in Jazzer's shape `fuzz(data: Buffer)`,
 * decodes the bytes as the scenario's input type (raw, UTF-8, or a fast-check choice
 * sequence: choice-sequence.ts), times every call, and appends findings and progress to
 * the report file as JSON lines. Nothing thrown by the target reaches libFuzzer: a throw is
 * a finding for the harness, not a reason for Jazzer to stop exploring.
 *
 * Latencies here include Jazzer's edge-counter instrumentation: a slow input is confirmed
 * by re-running it (median of three, as the measured loop does) and then re-confirmed by
 * the harness in an uninstrumented isolate; none of these latencies decide the SLO.
 *
 * Jazzer runs `--sync` (fastest here): an async target is timed up to its first await, and
 * its rejections are not seen while exploring; the measured phase awaits every call.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import type { Arbitrary } from 'fast-check';
import { medianLow } from '../../../core/stats.ts';
import { valueFromChoices } from '../../../engine/choice-sequence.ts';
import type { JazzerEntryConfig, JazzerReportLine } from '../../../engine/jazzer/report.ts';
import { errorSignature } from '../measured-loop.ts';

const configFile = process.env['SLO_JAZZER_CONFIG'] ?? '';
const config = JSON.parse(readFileSync(configFile, 'utf8')) as JazzerEntryConfig;
const mod = (await import(pathToFileURL(config.scenarioFile).href)) as { default?: unknown };
const exported = Array.isArray(mod.default) ? (mod.default as unknown[])[config.scenarioIndex] : mod.default;
const entry = exported as { target: (input: unknown, ctx: { seed: number; iteration: number }) => unknown; input?: { arbitrary?: Arbitrary<unknown> }; expectedError?: (e: unknown) => boolean };
const arbitrary = entry.input?.arbitrary ?? null;
const MAX_FINDINGS = 32;
const STATS_EVERY_MS = 250;
const seen = new Set<string>();
let calls = 0;
let nextStatsAt = 0;

function write(line: JazzerReportLine): void {
  appendFileSync(config.reportFile, `${JSON.stringify(line)}\n`);
}

function decode(data: Buffer): unknown {
  if (config.inputType === 'bytes') return data;
  if (config.inputType === 'string') return data.toString('utf8');
  return valueFromChoices(arbitrary as Arbitrary<unknown>, data);
}

/** The bytes the harness saves: the input itself, or the value's structured-clone form. */
function savedBytes(data: Buffer): Buffer {
  return config.inputType === 'arbitrary' ? v8.serialize(decode(data)) : Buffer.from(data);
}

function timed(value: unknown): { ms: number; error: unknown; threw: boolean } {
  const t0 = performance.now();
  try {
    entry.target(value, { seed: config.seed, iteration: calls });
    return { ms: performance.now() - t0, error: null, threw: false };
  } catch (error) {
    return { ms: performance.now() - t0, error, threw: true };
  }
}

function report(kind: 'slow' | 'error', signature: string, data: Buffer, latencyMs: number, confirmMs: number[], message: string | null, stack: string | null): void {
  if (seen.has(signature) || seen.size >= MAX_FINDINGS) return;
  seen.add(signature);
  write({ type: 'finding', kind, inputBase64: savedBytes(data).toString('base64'), latencyMs, confirmMs, message, stack, signature });
}

function confirmSlow(data: Buffer, firstMs: number): void {
  const confirmMs = [timed(decode(data)).ms, timed(decode(data)).ms];
  const median = medianLow([firstMs, ...confirmMs]);
  if (median <= config.perCallMs) return;
  const message = `median ${median.toFixed(3)} ms over 3 runs (under Jazzer.js instrumentation) exceeds the per-call budget of ${config.perCallMs} ms`;
  report('slow', `slow:${data.toString('base64').slice(0, 64)}:${data.length}`, data, firstMs, confirmMs, message, null);
}

export function fuzz(data: Buffer): void {
  // The first line marks the first call: the harness starts its fuzzing clock then.
  if (calls === 0) write({ type: 'stats', calls: 0 });
  const { ms, error, threw } = timed(decode(data));
  calls++;
  if (threw && !(entry.expectedError?.(error) ?? false)) {
    const sig = errorSignature(error);
    report('error', sig.signature, data, ms, [], sig.message, sig.stack);
  }
  if (ms > config.perCallMs) confirmSlow(data, ms);
  const now = performance.now();
  if (now >= nextStatsAt) {
    nextStatsAt = now + STATS_EVERY_MS;
    write({ type: 'stats', calls });
  }
}

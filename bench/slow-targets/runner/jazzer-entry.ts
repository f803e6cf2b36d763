/**
 * Jazzer.js fuzz target for the benchmark: wraps the slow target named by SLOW_TARGET and
 * throws on a confirmed over-budget call (the same rule as the other engines: median of
 * three uninstrumented calls over budget), so that Jazzer stops with a finding. The first call and the violation are appended to the
 * SLO_BENCH_REPORT file as JSON lines, so the bench reads exact times and the input.
 */
import { appendFileSync } from 'node:fs';
import { loadSlowTarget } from '../index.ts';
import { hangMsFor } from './children.ts';
import { confirmThresholdMs, timeCallMs, worthConfirming } from './budget.ts';
import { SyncMeasure } from './sync-measure.ts';

const name = process.env['SLOW_TARGET'] ?? '';
const reportFile = process.env['SLO_BENCH_REPORT'] ?? '';
const target = await loadSlowTarget(name);
const now = (): number => performance.timeOrigin + performance.now();
let startedAt = 0;
let executions = 0;
let instrumentedOnly = 0;
// Jazzer instruments the target (babel counters): confirm where it is not instrumented.
// Started at load, before the first call starts the clock.
const outside = new SyncMeasure(name, target.meta.maxLength, hangMsFor(target.meta.budgetMs)).start();

export function fuzz(data: Buffer): void {
  if (startedAt === 0) {
    startedAt = now();
    appendFileSync(reportFile, `${JSON.stringify({ type: 'start', at: startedAt })}\n`);
  }
  executions++;
  const callStartedAt = now();
  const ms = timeCallMs(target.fuzz, data);
  if (worthConfirming(ms, target.meta.budgetMs)) {
    if (!outside.violates(data, confirmThresholdMs(target.meta.budgetMs))) {
      instrumentedOnly++;
      return;
    }
    outside.close();
    // The same clock as the other engines (protocol.ts FuzzOutcome.timeToViolationMs).
    const line = { type: 'violation', timeToViolationMs: callStartedAt + target.meta.budgetMs - startedAt, confirmedAfterMs: now() - startedAt, inputHex: data.toString('hex'), executions, ms, instrumentedOnly };
    appendFileSync(reportFile, `${JSON.stringify(line)}\n`);
    throw new Error(`SLO violation: ${ms.toFixed(2)} ms > ${target.meta.budgetMs} ms per call`);
  }
}

/**
 * One intensity step of a breaking-point search on a function target: a fresh isolate runs
 * the fuzz loop for the step's duration with the chaos at the step's intensity (and CPU
 * stress when the knob asks for it). The search itself (pipeline/breaking-point-runner.ts)
 * turns each step's histogram into a P99 interval for `findBreakingPoint` (search/, pure);
 * drivers/http/breaking-point.ts is the same step for a running service.
 */
import { ChaosLedger } from '../../chaos/chaos-ledger.ts';
import { CHAOS_KINDS } from '../../chaos/registry.ts';
import type { InjectedDelaySummary } from '../../core/results-schema.ts';
import { createLatencyHistogram, decodeHistogram, msToUs, type Histogram } from '../../measure/histogram.ts';
import type { ResolvedChaos } from '../../scenario/chaos-types.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { IsolateDriver } from './driver.ts';
import type { FindingMessage } from './protocol.ts';

/** What a step runs with, besides its chaos and duration. */
export interface IsolateStepOptions {
  seed: number;
  /** Seed corpus entries, as the measured phase used them. */
  seeds: Uint8Array[];
  signal?: AbortSignal;
}

/** One step's raw measurement (exported for tests and the bench). */
export interface IsolateStep {
  histogram: Histogram;
  errors: number;
  /** Injected dependency delay per call and dependency outcomes; null without dependency chaos. */
  injected: InjectedDelaySummary | null;
}

const OUTSIDE_KINDS = new Set(['timeout', 'crash', 'oom', 'exit']);

/**
 * Hangs and crashes never reached the loop's histogram: the watchdog's measure stands in
 * (timeouts the host already counted in the histogram are not counted twice).
 */
function countedOutside(finding: FindingMessage): boolean {
  return !finding.counted && OUTSIDE_KINDS.has(finding.kind) && finding.latencyMs > 0;
}

/** Runs the scenario's isolate once with `chaos` for `durationMs`; the caller destroys the histogram. */
export async function measureIsolateStep(scenario: ResolvedScenario, chaos: ResolvedChaos, durationMs: number, opts: IsolateStepOptions): Promise<IsolateStep> {
  const latest = new Map<number, string>();
  const outside = createLatencyHistogram();
  const chaosLedger = new ChaosLedger();
  let fatal: string | null = null;
  const stress = chaos.cpu ? await CHAOS_KINDS.cpu.lifecycle.start(chaos.cpu, durationMs + 5000) : null;
  try {
    const driver = new IsolateDriver({ scenario, seed: opts.seed });
    const running = driver.measure(
      { durationMs, calls: null, seeds: opts.seeds, confirmRepeats: 0, chaos },
      {
        onSnapshot: (snapshot, generation) => {
          latest.set(generation, snapshot.histogram);
          chaosLedger.record(generation, snapshot.chaos);
        },
        onFinding: (finding) => {
          if (countedOutside(finding)) outside.recordValue(msToUs(finding.latencyMs));
        },
      },
    );
    const onAbort = (): void => running.stop();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const exit = await running.exited;
    opts.signal?.removeEventListener('abort', onAbort);
    if (exit.reason === 'failed') fatal = exit.message;
  } finally {
    await stress?.stop();
  }
  if (fatal) {
    outside.destroy();
    throw new Error(`breaking-point step failed: ${fatal}`);
  }
  const histogram = createLatencyHistogram();
  histogram.add(outside);
  outside.destroy();
  for (const encoded of latest.values()) {
    const h = decodeHistogram(encoded);
    histogram.add(h);
    h.destroy();
  }
  const injected = chaosLedger.summary();
  return { histogram, errors: injected?.failedCalls ?? 0, injected };
}

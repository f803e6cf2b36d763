/**
 * One open-loop load phase against a running service: requests built from fuzz inputs, sent
 * at an even pace from their intended times (harness/load/open-loop.ts), stopped early when
 * the service dies. Histograms come back in the measure module's layout (µs, 1 µs..1 h) so
 * verdicts, intervals and results use them as they use a function target's.
 */
import { createLatencyHistogram, type Histogram } from '../../measure/histogram.ts';
import { runOpenLoop, type OpenLoopResult } from '../../load/open-loop.ts';
import type { ResponseInfo } from '../../load/types.ts';
import type { RequestSource } from './requests.ts';

export interface LoadPhaseOptions {
  origin: string;
  rate: number;
  connections: number;
  timeoutMs: number;
  durationMs?: number;
  requests?: number;
  source: RequestSource;
  /** The run's signal (Ctrl-C). */
  signal?: AbortSignal;
  /** Resolves when the service died: the phase stops at once. */
  died?: Promise<unknown>;
  timelineWindowMs?: number;
  /** Sees every settled request (the service trace records request windows from it). */
  onSettled?: (info: ResponseInfo) => void;
}

export interface LoadPhaseResult {
  load: Omit<OpenLoopResult, 'correctedHistogram' | 'uncorrectedHistogram'>;
  /** From intended send times (caller destroys). */
  corrected: Histogram;
  /** From actual send times (caller destroys). */
  uncorrected: Histogram;
  /** Requests that failed: timeouts, connection errors, other client errors, 5xx responses. */
  errors: number;
}

/** Copies a load-module histogram into the measure module's layout and frees the original. */
function toMeasureHistogram(source: Histogram): Histogram {
  const out = createLatencyHistogram();
  out.add(source);
  source.destroy();
  return out;
}

export async function runLoadPhase(options: LoadPhaseOptions): Promise<LoadPhaseResult> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  void options.died?.then(abort);
  const planned = options.requests ?? Math.ceil((options.rate * (options.durationMs ?? 1000)) / 1000);
  options.source.prepare(planned);
  try {
    const result = await runOpenLoop({
      origin: options.origin,
      rate: options.rate,
      ...(options.requests !== undefined ? { requests: options.requests } : { durationMs: options.durationMs ?? 1000 }),
      buildRequest: options.source.builderFor(),
      connections: options.connections,
      timeoutMs: options.timeoutMs,
      signal: controller.signal,
      abortGraceMs: 500,
      timelineWindowMs: options.timelineWindowMs ?? 250,
      onResponse: (info) => {
        options.source.settled(info.i, info.status === null);
        options.onSettled?.(info);
      },
    });
    const { correctedHistogram, uncorrectedHistogram, ...load } = result;
    const e = load.errors;
    return {
      load,
      corrected: toMeasureHistogram(correctedHistogram),
      uncorrected: toMeasureHistogram(uncorrectedHistogram),
      errors: e.timeout + e.connection + e.other + e.status5xx,
    };
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * The measured phase's histograms of a function target: worker snapshots are cumulative per
 * generation (one per worker life), so the latest per generation is kept and merged at the end.
 */
import { createLatencyHistogram, decodeHistogram, msToUs, type Histogram } from '../measure/histogram.ts';

/** Snapshots are cumulative per worker: keep the latest per generation and merge at the end. */
export class SnapshotLedger {
  private readonly latest = new Map<number, string>();
  /** Raw call times of a paced loop (slo.rate), per generation; `latest` then holds corrected latencies. */
  private readonly latestRaw = new Map<number, string>();
  private readonly calls = new Map<number, number>();
  private readonly extra = createLatencyHistogram();

  record(generation: number, histogram: string, calls: number, raw?: string): void {
    this.latest.set(generation, histogram);
    this.calls.set(generation, calls);
    if (raw !== undefined) this.latestRaw.set(generation, raw);
  }
  /** Calls that never returned (hangs, crashes) are measured by the watchdog instead. */
  recordOutside(latencyMs: number): void {
    this.extra.recordValue(msToUs(latencyMs));
  }
  totalCalls(): number {
    let n = this.extra.totalCount;
    for (const c of this.calls.values()) n += c;
    return n;
  }
  merged(): Histogram {
    return this.mergeOf(this.latest);
  }
  /** Raw call times of a paced loop, with the watchdog's measures; null when the loop was not paced. */
  mergedRaw(): Histogram | null {
    return this.latestRaw.size > 0 ? this.mergeOf(this.latestRaw) : null;
  }
  private mergeOf(snapshots: Map<number, string>): Histogram {
    const out = createLatencyHistogram();
    out.add(this.extra);
    for (const encoded of snapshots.values()) {
      const h = decodeHistogram(encoded);
      out.add(h);
      h.destroy();
    }
    return out;
  }
  destroy(): void {
    this.extra.destroy();
  }
}

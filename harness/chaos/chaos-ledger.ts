/**
 * Parent side of dependency chaos: keeps each isolate worker's latest cumulative chaos
 * snapshot (workers restart after hangs and crashes; snapshots are per worker), merges
 * them, and describes the chaos in force for results.json.
 */
import { createLatencyHistogram, decodeHistogram, summarizeLatency, type Histogram } from '../measure/histogram.ts';
import type { ChaosInForce, CpuStressInfo, DependencyChaosInfo, InjectedDelaySummary } from '../core/results-schema.ts';
import type { ChaosSnapshotWire, ResolvedChaos } from '../scenario/chaos-types.ts';

export class ChaosLedger {
  private readonly latest = new Map<number, ChaosSnapshotWire>();

  record(generation: number, snapshot: ChaosSnapshotWire | undefined): void {
    if (snapshot) this.latest.set(generation, snapshot);
  }

  get empty(): boolean {
    return this.latest.size === 0;
  }

  /** The merged injected-delay histogram (caller destroys it). */
  mergedInjected(): Histogram {
    const out = createLatencyHistogram();
    for (const s of this.latest.values()) {
      const h = decodeHistogram(s.injected);
      out.add(h);
      h.destroy();
    }
    return out;
  }

  summary(): InjectedDelaySummary | null {
    if (this.empty) return null;
    const totals = { dependencyCalls: 0, dependencyErrors: 0, dependencyTimeouts: 0, failedCalls: 0 };
    for (const s of this.latest.values()) {
      totals.dependencyCalls += s.dependencyCalls;
      totals.dependencyErrors += s.dependencyErrors;
      totals.dependencyTimeouts += s.dependencyTimeouts;
      totals.failedCalls += s.failedCalls;
    }
    const h = this.mergedInjected();
    const perCall = summarizeLatency(h);
    h.destroy();
    return { perCall, ...totals };
  }
}

export function describeDependencies(chaos: ResolvedChaos | null | undefined): DependencyChaosInfo[] {
  return (chaos?.dependencies ?? []).map((d) => ({
    name: d.name,
    pareto: d.latency ? { scaleMs: d.latency.scaleMs, alpha: d.latency.alpha, capMs: d.latency.capMs } : null,
    errorRate: d.errorRate,
    timeoutMs: d.timeoutMs,
  }));
}

/** results.chaos for a function scenario; null when it ran without chaos. */
export function chaosInForce(
  chaos: ResolvedChaos | null | undefined,
  cpuStress: CpuStressInfo | null,
  injected: InjectedDelaySummary | null,
  faultWindows: ChaosInForce['faultWindows'] = [],
): ChaosInForce | null {
  if (!chaos && !cpuStress) return null;
  const dependencies = describeDependencies(chaos);
  return {
    pareto: dependencies.find((d) => d.pareto !== null)?.pareto ?? null,
    toxics: [],
    cpuStress,
    faultWindows,
    ...(dependencies.length > 0 ? { dependencies } : {}),
    ...(injected ? { injected } : {}),
  };
}

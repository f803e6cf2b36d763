/**
 * Cost bookkeeping of the builtin engine, pure: latency buckets, PerfFuzz-style records
 * per input-length class, and the re-measurement rule for records that rest on wall time.
 */

/** Sub-microsecond buckets kept: small inputs of a blow-up already differ there. */
const SUB_MICROSECOND_BUCKETS = 8;

/**
 * log2 buckets of microseconds, offset so that sub-microsecond latencies still order:
 * floor(log2(µs)) + 8, at least 0 (so [1, 2) µs is bucket 8, [2, 4) µs bucket 9, ...).
 */
export function latencyBucket(latencyNs: number): number {
  if (!(latencyNs > 0)) return 0;
  return Math.max(0, Math.floor(Math.log2(latencyNs / 1000)) + SUB_MICROSECOND_BUCKETS);
}

/** Inputs of lengths [2^(c-1), 2^c) share class c (0 for the empty input). */
export function lengthClass(length: number): number {
  return 32 - Math.clz32(length);
}

/**
 * The highest latency bucket seen per length class, and the input holding it. One maximum
 * per class rather than a single global one keeps small inputs that are slow for their
 * size (the seeds of a blow-up) alongside the big ones: PerfFuzz's multi-dimensional
 * maxima, with input size classes as the dimensions where no per-block latency exists.
 *
 * A record set while the target was still cold (before the JIT compiled it, during a GC)
 * would block its class for good, so holders are re-measured now and then (relax): the
 * record drops to what its holder costs once warm.
 */
export class CostRecords {
  private readonly best = new Int32Array(33).fill(-1);
  private readonly holder: (Uint8Array | null)[] = new Array<Uint8Array | null>(33).fill(null);

  isRecord(length: number, bucket: number): boolean {
    return bucket > (this.best[lengthClass(length)] as number);
  }

  commit(input: Uint8Array, bucket: number): void {
    const c = lengthClass(input.length);
    if (bucket > (this.best[c] as number)) {
      this.best[c] = bucket;
      this.holder[c] = input;
    }
  }

  /** Current record holders, to re-measure. */
  holders(): Uint8Array[] {
    return this.holder.filter((h): h is Uint8Array => h !== null);
  }

  /** A fresh measurement of a holder: its class record drops to it if lower. */
  relax(input: Uint8Array, bucket: number): void {
    const c = lengthClass(input.length);
    if (this.holder[c] === input && bucket < (this.best[c] as number)) this.best[c] = bucket;
  }

  /** Highest bucket over all classes (-1 before any commit). */
  top(): number {
    let top = -1;
    for (const b of this.best) if (b > top) top = b;
    return top;
  }
}

export type RemeasureVerdict = 'pending' | 'confirmed' | 'rejected';

/**
 * A latency record is trusted only if it survives re-measurement: the input runs up to
 * twice more, and it is kept only if the runs confirm it. On a shared machine noise only
 * ever adds time (GC pauses, a neighbour on the core), so the confirmation asks that every
 * run is a record, i.e. that the minimum is; one fast run rejects at once.
 */
export class Remeasurement {
  readonly samples: number[];

  constructor(
    readonly input: Uint8Array,
    firstLatencyNs: number,
    private readonly stillRecord: (latencyNs: number) => boolean,
    private readonly runs = 3,
  ) {
    this.samples = [firstLatencyNs];
  }

  add(latencyNs: number): RemeasureVerdict {
    this.samples.push(latencyNs);
    if (!this.stillRecord(latencyNs)) return 'rejected';
    return this.samples.length >= this.runs ? 'confirmed' : 'pending';
  }

  /** The latency to believe: the fastest run (the least disturbed). */
  confirmedLatencyNs(): number {
    return Math.min(...this.samples);
  }
}

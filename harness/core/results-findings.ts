/**
 * results.json: findings (the violating inputs a scenario found), their growth fits and stacks,
 * and what minimisation and regression replays did with them (results-schema.ts has the whole file).
 */

export type FindingKind = 'slow' | 'timeout' | 'crash' | 'exit' | 'oom' | 'error';

export interface Finding {
  /** Content hash of the input (names its files). */
  id: string;
  kind: FindingKind;
  latencyMs: number;
  budgetMs: number;
  message: string | null;
  stack: string | null;
  input: {
    encoding: 'bytes' | 'utf8' | 'v8';
    size: number;
    /** Printable preview (control characters escaped), at most 256 characters. */
    preview: string;
    /** Hex of the first 64 bytes. */
    hexPreview: string;
    /** Path of the saved input, relative to the working directory. */
    file: string;
  };
  metaFile: string;
  replay: string;
  firstSeenAt: string;
  /** How many times this input (same content) was seen in the run. */
  occurrences: number;
  /** How the latency grows with the input's size when the input is pumped; absent when not fitted. */
  growth?: GrowthFit;
  /** Stacks sampled while this finding's calls ran; absent when no tracer ran. */
  stacks?: FindingStacks;
  /** Size in bytes (or serialised bytes) of the input before it was shrunk to `input.size`. */
  shrunkFrom?: number;
  /** Milliseconds from the scenario's start to this finding's first occurrence (places it on the timeline and among fault windows). */
  offsetMs?: number;
  /** Total dependency delay injected into this finding's call (ms), beside `latencyMs`; absent without dependency chaos. */
  injectedMs?: number;
  /** Id of the violation as the fuzzer found it, when this finding was minimised (the original is kept under that id). */
  originalId?: string;
  /** First-call latencies (ms, one per probe worker) that confirmed the finding; absent when not confirmed by the probe. */
  firstCallLatenciesMs?: number[];
  /**
   * Ids of other violations of this run with the same shape (they differ only in how often a
   * segment repeats: search/families.ts). They were not minimised separately; their inputs
   * stay in the corpus's violations/ folder.
   */
  variants?: string[];
}

/** What post-processing did with the run's findings (pipeline/minimise.ts). */
export interface MinimisationSummary {
  /** Slow or timeout findings whose median first-call latency exceeded the budget in the probe. */
  confirmed: number;
  /** Slow findings that did not reproduce on first calls: dropped from `findings`, moved to the corpus's interesting inputs. */
  unconfirmed: number;
  /** Confirmed findings replaced by a smaller violating input. */
  minimised: number;
  /** Findings left as found (crashes, time cap reached, probe failure). */
  keptRaw: number;
  /** Wall time spent confirming, shrinking and growth fitting, ms. */
  timeSpentMs: number;
  /** First calls per measurement (probe workers). */
  probeWorkers: number;
  /** Set when the probe could not run; findings are then left as found. */
  error: string | null;
  /** Findings folded into a confirmed finding of the same shape (its `variants`) instead of being minimised again. */
  variants?: number;
  /**
   * Slow candidates left unexamined when the time cap ran out (or the run was interrupted)
   * after a slow finding had been confirmed: not listed as findings; their inputs stay in the
   * corpus's violations/ folder.
   */
  unexamined?: string[];
}

/** One saved violation replayed by `run --regression`. */
export interface RegressionEntry {
  id: string;
  kind: FindingKind;
  metaFile: string;
  /** First-call latencies, one per probe worker (ms). */
  latenciesMs: number[];
  medianMs: number;
  /** The per-call budget it is judged against (ms). */
  budgetMs: number;
  status: 'still-failing' | 'fixed' | 'error';
  detail: string;
}

export interface RegressionSummary {
  replayed: number;
  stillFailing: number;
  fixed: number;
  errors: number;
  entries: RegressionEntry[];
}

export type GrowthClass = 'polynomial' | 'exponential' | 'linear' | 'constant';

export interface GrowthFit {
  class: GrowthClass;
  /** The exponent k for `polynomial` (latency ~ n^k), the base b for `exponential` (latency ~ b^n), 1 for linear, 0 for constant. */
  exponentOrBase: number;
  /** Coefficient of determination of the fit, in [0, 1]. */
  r2: number;
  /** Measured latency (median of repeats, ms) for each pumped input size n (bytes). */
  points: Array<{ n: number; latencyMs: number }>;
  /** Input size (bytes) at which the fit predicts the per-call budget is crossed; null when never or unknown. */
  predictedCrossingSize: number | null;
}

/** A frame's weight and its share, in [0, 1], of the stack set's total weight. */
export interface FrameShare {
  frame: string;
  /** Samples (on-CPU stacks) or microseconds (off-CPU stacks). */
  count: number;
  share: number;
  /** `js`, `native`, `kernel`, `v8-stub` or `unknown`, when the tracer classifies frames. */
  kind?: string;
}

/** Where off-CPU time went during the violation (bpftrace scheduler tracing). */
export interface OffCpuSummary {
  /** Off-CPU time of the traced threads overlapping the window(s), ms. */
  totalMs: number;
  /** Of which runnable but not running (CPU contention), ms. */
  preemptedMs: number;
  /** Of which sleeping (I/O, timers, locks, injected delays), ms. */
  blockedMs: number;
  /** Frames with the most off-CPU microseconds. */
  topSelf: FrameShare[];
}

export interface FindingStacks {
  /** The tracer that produced the stacks: `bpftrace` or `v8-inspector`. */
  backend: string;
  /** Why this backend was used (e.g. a fallback reason), or null. */
  reason: string | null;
  /**
   * Aggregated on-CPU folded stacks: frames root-first joined by `;`, with their sample counts.
   * Capped when written (harness/report/stack-cap.ts): the heaviest MAX_FOLDED_STACKS stacks
   * are kept, in descending count; the rest are summed in `foldedOther`.
   */
  folded: Array<{ stack: string; count: number }>;
  /** Stacks dropped by the cap and their summed samples; absent when nothing was dropped. */
  foldedOther?: { stacks: number; count: number };
  /** Frames with the most self samples, descending. */
  topSelf: FrameShare[];
  /** Frames with the most total (inclusive) samples, descending. */
  topTotal: FrameShare[];
  /** Fraction of the violation window the thread was on CPU, in [0, 1]; null when the window is too short to say. */
  onCpuRatio: number | null;
  /** Samples attributed to the violation window(s). */
  samples?: number;
  /** Length of the violation window(s), ms. */
  windowMs?: number;
  /** Off-CPU breakdown, when the backend traced the scheduler. */
  offCpu?: OffCpuSummary;
  /**
   * Per-frame inclusive share during the violation vs during baseline calls (both in [0, 1]); null when no baseline was sampled.
   * Capped when written to the MAX_DIFF_FRAMES frames whose share changed most; `topSelf`/`topTotal` to MAX_FRAME_ROWS.
   */
  diff: Array<{ frame: string; violationShare: number; baselineShare: number }> | null;
}

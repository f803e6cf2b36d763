/**
 * results.json: findings (the violating inputs a scenario found), their growth fits and stacks,
 * and what minimisation and regression replays did with them (results-schema.ts has the whole file).
 */
import { z } from 'zod';
import { countField, msField, nullableString } from './results-slo.ts';

export const findingKindSchema = z.enum(['slow', 'timeout', 'crash', 'exit', 'oom', 'error']);
export type FindingKind = z.infer<typeof findingKindSchema>;

/** How a finding's input is stored and decoded (engine/feeders.ts). */
export const inputEncodingSchema = z.enum(['bytes', 'utf8', 'v8']);

export const growthClassSchema = z.enum(['polynomial', 'exponential', 'linear', 'constant']);
export type GrowthClass = z.infer<typeof growthClassSchema>;

/** The growth fit of a finding, as results.json and violation records store it. */
export const growthFitSchema = z.object({
  class: growthClassSchema,
  /** The exponent k for `polynomial` (latency ~ n^k), the base b for `exponential` (latency ~ b^n), 1 for linear, 0 for constant. */
  exponentOrBase: z.number(),
  /** Coefficient of determination of the fit, in [0, 1]. */
  r2: z.number(),
  /** Measured latency (median of repeats, ms) for each pumped input size n (bytes). */
  points: z.array(z.object({ n: z.number(), latencyMs: z.number() })),
  /** Input size (bytes) at which the fit predicts the per-call budget is crossed; null when never or unknown. */
  predictedCrossingSize: z.number().nullable(),
});
export type GrowthFit = z.infer<typeof growthFitSchema>;

/** A frame's weight and its share, in [0, 1], of the stack set's total weight. */
export const frameShareSchema = z.object({
  frame: z.string(),
  /** Samples (on-CPU stacks) or microseconds (off-CPU stacks). */
  count: z.number(),
  share: z.number(),
  /** `js`, `native`, `kernel`, `v8-stub` or `unknown`, when the tracer classifies frames. */
  kind: z.string().optional(),
});
/** A frame's weight and its share, in [0, 1], of the stack set's total weight. */
export type FrameShare = z.infer<typeof frameShareSchema>;

/** Where off-CPU time went during the violation (bpftrace scheduler tracing). */
export const offCpuSummarySchema = z.object({
  /** Off-CPU time of the traced threads overlapping the window(s), ms. */
  totalMs: msField,
  /** Of which runnable but not running (CPU contention), ms. */
  preemptedMs: msField,
  /** Of which sleeping (I/O, timers, locks, injected delays), ms. */
  blockedMs: msField,
  /** Frames with the most off-CPU microseconds. */
  topSelf: z.array(frameShareSchema),
});
/** Where off-CPU time went during the violation (bpftrace scheduler tracing). */
export type OffCpuSummary = z.infer<typeof offCpuSummarySchema>;

export const findingStacksSchema = z.object({
  /** The tracer that produced the stacks: `bpftrace` or `v8-inspector`. */
  backend: z.string(),
  /** Why this backend was used (e.g. a fallback reason), or null. */
  reason: nullableString,
  /**
   * Aggregated on-CPU folded stacks: frames root-first joined by `;`, with their sample counts.
   * Capped when written (harness/report/stack-cap.ts): the heaviest MAX_FOLDED_STACKS stacks
   * are kept, in descending count; the rest are summed in `foldedOther`.
   */
  folded: z.array(z.object({ stack: z.string(), count: z.number() })),
  /** Stacks dropped by the cap and their summed samples; absent when nothing was dropped. */
  foldedOther: z.object({ stacks: countField, count: z.number() }).optional(),
  /** Frames with the most self samples, descending. */
  topSelf: z.array(frameShareSchema),
  /** Frames with the most total (inclusive) samples, descending. */
  topTotal: z.array(frameShareSchema),
  /** Fraction of the violation window the thread was on CPU, in [0, 1]; null when the window is too short to say. */
  onCpuRatio: z.number().nullable(),
  /** Samples attributed to the violation window(s). */
  samples: z.number().optional(),
  /** Length of the violation window(s), ms. */
  windowMs: z.number().optional(),
  /** Off-CPU breakdown, when the backend traced the scheduler. */
  offCpu: offCpuSummarySchema.optional(),
  /**
   * Per-frame inclusive share during the violation vs during baseline calls (both in [0, 1]); null when no baseline was sampled.
   * Capped when written to the MAX_DIFF_FRAMES frames whose share changed most; `topSelf`/`topTotal` to MAX_FRAME_ROWS.
   */
  diff: z.array(z.object({ frame: z.string(), violationShare: z.number(), baselineShare: z.number() })).nullable(),
});
export type FindingStacks = z.infer<typeof findingStacksSchema>;

export const findingSchema = z.object({
  /** Content hash of the input (names its files). */
  id: z.string(),
  kind: findingKindSchema,
  latencyMs: msField,
  budgetMs: msField,
  message: nullableString,
  stack: nullableString,
  input: z.object({
    encoding: inputEncodingSchema,
    size: countField,
    /** Printable preview (control characters escaped), at most 256 characters. */
    preview: z.string(),
    /** Hex of the first 64 bytes. */
    hexPreview: z.string(),
    /** Path of the saved input, relative to the working directory. */
    file: z.string(),
  }),
  metaFile: z.string(),
  replay: z.string(),
  firstSeenAt: z.string(),
  /** How many times this input (same content) was seen in the run. */
  occurrences: countField,
  /** How the latency grows with the input's size when the input is pumped; absent when not fitted. */
  growth: growthFitSchema.optional(),
  /** Stacks sampled while this finding's calls ran; absent when no tracer ran. */
  stacks: findingStacksSchema.optional(),
  /** Size in bytes (or serialised bytes) of the input before it was shrunk to `input.size`. */
  shrunkFrom: z.number().optional(),
  /** Milliseconds from the scenario's start to this finding's first occurrence (places it on the timeline and among fault windows). */
  offsetMs: z.number().optional(),
  /** Total dependency delay injected into this finding's call (ms), beside `latencyMs`; absent without dependency chaos. */
  injectedMs: msField.optional(),
  /** Id of the violation as the fuzzer found it, when this finding was minimised (the original is kept under that id). */
  originalId: z.string().optional(),
  /** First-call latencies (ms, one per probe worker) that confirmed the finding; absent when not confirmed by the probe. */
  firstCallLatenciesMs: z.array(msField).optional(),
  /**
   * Ids of other violations of this run with the same shape (they differ only in how often a
   * segment repeats: search/families.ts). They were not minimised separately; their inputs
   * stay in the corpus's violations/ folder.
   */
  variants: z.array(z.string()).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/** What post-processing did with the run's findings (pipeline/minimise.ts). */
export const minimisationSummarySchema = z.object({
  /** Slow or timeout findings whose median first-call latency exceeded the budget in the probe. */
  confirmed: countField,
  /** Slow findings that did not reproduce on first calls: dropped from `findings`, moved to the corpus's interesting inputs. */
  unconfirmed: countField,
  /** Confirmed findings replaced by a smaller violating input. */
  minimised: countField,
  /** Findings left as found (crashes, time cap reached, probe failure). */
  keptRaw: countField,
  /** Wall time spent confirming, shrinking and growth fitting, ms. */
  timeSpentMs: msField,
  /** First calls per measurement (probe workers). */
  probeWorkers: countField,
  /** Set when the probe could not run; findings are then left as found. */
  error: nullableString,
  /** Findings folded into a confirmed finding of the same shape (its `variants`) instead of being minimised again. */
  variants: countField.optional(),
  /**
   * Slow candidates left unexamined when the time cap ran out (or the run was interrupted)
   * after a slow finding had been confirmed: not listed as findings; their inputs stay in the
   * corpus's violations/ folder.
   */
  unexamined: z.array(z.string()).optional(),
});
/** What post-processing did with the run's findings (pipeline/minimise.ts). */
export type MinimisationSummary = z.infer<typeof minimisationSummarySchema>;

/** One saved violation replayed by `run --regression`. */
export const regressionEntrySchema = z.object({
  id: z.string(),
  kind: findingKindSchema,
  metaFile: z.string(),
  /** First-call latencies, one per probe worker (ms). */
  latenciesMs: z.array(msField),
  medianMs: msField,
  /** The per-call budget it is judged against (ms). */
  budgetMs: msField,
  status: z.enum(['still-failing', 'fixed', 'error']),
  detail: z.string(),
});
/** One saved violation replayed by `run --regression`. */
export type RegressionEntry = z.infer<typeof regressionEntrySchema>;

export const regressionSummarySchema = z.object({
  replayed: countField,
  stillFailing: countField,
  fixed: countField,
  errors: countField,
  entries: z.array(regressionEntrySchema),
});
export type RegressionSummary = z.infer<typeof regressionSummarySchema>;

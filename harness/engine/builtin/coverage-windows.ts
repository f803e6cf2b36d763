/**
 * Affordable coverage feedback from an expensive probe. Reading V8 block coverage costs
 * ~1-2 ms (it also resets the counters), far more than a parser call, so calls are
 * observed in contiguous windows, one read per window:
 *  - batch windows: many calls; a window that hit blocks never seen before is bisected
 *    (its first half is re-run as a window of its own, the other half is inferred) until
 *    the single inputs responsible are found, which are then kept as new coverage;
 *  - single windows: one call, for a per-input reading (hit counts: deterministic cost).
 * Batch windows start small and double while they bring nothing new, up to the length
 * that keeps the reads within the overhead budget. The schedule runs on the feedback
 * (latency + a per-call overhead estimate), not on a clock, so it replays from a seed.
 *
 * The overhead share holds from the start, not only on average: every read is paid from a
 * read budget that calls earn (overhead x their time) and that starts with one read.
 * Small windows early are right while coverage grows, but with reads at ~1.5 ms and calls
 * of ~20 µs they once made reads 60% of a run's first 200 ms (75 reads on the engine
 * bench's glob matcher, 107 ms of a 186 ms run), which is time the search did not get.
 * A batch window that is due stays open until the budget covers its read.
 */
import { FeatureMaxima, type CoverageProbe, type CoverageSample, type MaximaUpdate } from '../coverage/features.ts';

export interface WindowOptions {
  /** Estimated cost of one probe read (ns). */
  readCostNs: number;
  /** Share of the time the reads may take. */
  overhead: number;
  /** Estimated per-call loop overhead besides the target (ns). */
  perCallOverheadNs?: number;
  /**
   * Reads allowed before any call time has been earned (default 1). Eight free reads at
   * the start spent 6-10 ms on reads in a run's first 30 ms, a third of the time to a
   * ReDoS; with one, the engine bench's medians over 5 seeds went 25 -> 17 ms (glob),
   * 449 -> 275 ms (header parser), 425 -> 258 ms (markdown links), the rest within noise.
   */
  startReads?: number;
}

/** What a closed window taught: inputs to keep for new coverage, or one input's reading. */
export interface WindowEvent {
  kind: 'new-coverage' | 'single';
  input: Uint8Array;
  latencyNs: number;
  /** For 'single': the per-input maxima update (new blocks or new hit-count maxima). */
  update: MaximaUpdate | null;
  sample: CoverageSample | null;
}

interface Call {
  input: Uint8Array;
  latencyNs: number;
}

interface BisectTask {
  /** Calls known (as a group) to cover `features`. */
  calls: Call[];
  features: number[];
}

export interface WindowStats {
  reads: number;
  batchWindows: number;
  bisectRuns: number;
  coveredFeatures: number;
}

export class CoverageWindows {
  readonly maxima = new FeatureMaxima();
  private open: Call[] = [];
  private openIsBisect = false;
  private sinceNs = 0;
  private sinceSingleNs = 0;
  private quietWindows = 0;
  private readonly maxIntervalNs: number;
  private readonly perCallNs: number;
  private readonly readCostNs: number;
  private readonly overhead: number;
  /** Read time still affordable (ns); reads spend it, calls earn it. May go negative (forced reads). */
  private readBudgetNs: number;
  private readonly tasks: BisectTask[] = [];
  /** The bisection group being re-run, and its still-to-issue calls. */
  private running: { task: BisectTask; half: Call[]; cursor: number } | null = null;
  private events: WindowEvent[] = [];
  /** Calls made while paused (see pause()); their coverage is read as a baseline on resume. */
  private pausedCalls: number | null = null;
  readonly stats: WindowStats = { reads: 0, batchWindows: 0, bisectRuns: 0, coveredFeatures: 0 };

  constructor(
    private readonly probe: CoverageProbe,
    opts: WindowOptions,
  ) {
    this.maxIntervalNs = opts.readCostNs / opts.overhead;
    this.perCallNs = opts.perCallOverheadNs ?? 2_000;
    this.readCostNs = opts.readCostNs;
    this.overhead = opts.overhead;
    this.readBudgetNs = (opts.startReads ?? 1) * opts.readCostNs;
  }

  /** What closed windows taught since the last drain. */
  drain(): WindowEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  /** The next input a bisection wants re-run, or null (then the engine issues its own). */
  nextBisectInput(): Uint8Array | null {
    if (!this.running) {
      const task = this.tasks.pop();
      if (!task) return null;
      this.closeBatch(); // the re-run group must be a window of its own
      this.running = { task, half: task.calls.slice(0, task.calls.length >> 1), cursor: 0 };
      this.openIsBisect = true;
    }
    const call = this.running.half[this.running.cursor++];
    return call ? call.input : null;
  }

  /** True while re-running a bisection group: the engine must issue nextBisectInput() only. */
  get bisecting(): boolean {
    return this.running !== null || this.tasks.length > 0;
  }

  /** Whether a per-input reading now stays within the overhead budget (they get their own share). */
  singleAffordable(): boolean {
    return this.sinceSingleNs >= this.maxIntervalNs && this.readBudgetNs >= this.readCostNs;
  }

  /** Closes the open batch window now (e.g. at the end of a run), so its lessons are not lost. */
  flush(): void {
    if (this.open.length > 0 && !this.openIsBisect) this.closeBatch();
  }

  /** Call before issuing an input that must be observed alone. */
  beforeSingle(): void {
    if (this.open.length > 0 && !this.openIsBisect) this.closeBatch();
  }

  /**
   * Stops observing: calls still earn read budget but join no window, and nothing is read.
   * For phases judged by latency alone (ladder climbs), where a read of ~1.5 ms between two
   * rungs delays the rung that crosses the budget. Closes an open batch window first.
   */
  pause(): void {
    if (this.pausedCalls !== null) return;
    if (this.open.length > 0 && !this.openIsBisect) this.closeBatch();
    this.pausedCalls = 0;
  }

  /**
   * Observes again. The blocks the paused calls reached are read once and taken as seen,
   * attributed to no input: bisecting them would re-run the paused calls, the slowest of a run.
   */
  resume(): void {
    const calls = this.pausedCalls;
    this.pausedCalls = null;
    if (!calls) return;
    this.maxima.markSeen(this.maxima.unseen(this.read()));
    this.stats.coveredFeatures = this.maxima.coveredCount();
  }

  /** Feedback for every executed call. `alone`: the call was announced with beforeSingle(). */
  afterCall(input: Uint8Array, latencyNs: number, alone: boolean): void {
    if (this.pausedCalls !== null) {
      this.pausedCalls++;
      this.readBudgetNs += (latencyNs + this.perCallNs) * this.overhead;
      return;
    }
    this.open.push({ input, latencyNs });
    this.sinceNs += latencyNs + this.perCallNs;
    this.sinceSingleNs += latencyNs + this.perCallNs;
    this.readBudgetNs += (latencyNs + this.perCallNs) * this.overhead;
    if (this.openIsBisect) {
      if (this.running && this.running.cursor >= this.running.half.length) this.finishBisectRun();
    } else if (alone) {
      this.closeSingle();
    } else if (this.sinceNs >= this.currentIntervalNs() && this.readBudgetNs >= this.readCostNs) {
      this.closeBatch();
    }
  }

  private currentIntervalNs(): number {
    // Small windows while coverage keeps growing (cheap attribution), longer once it stalls.
    return Math.min(this.maxIntervalNs, 50_000 * 2 ** this.quietWindows);
  }

  private read(): CoverageSample {
    this.stats.reads++;
    this.sinceNs = 0;
    this.readBudgetNs -= this.readCostNs;
    return this.probe.collect();
  }

  /** Closes the open batch window; a window with unseen blocks becomes a bisection task. */
  private closeBatch(): void {
    const calls = this.open;
    this.open = [];
    this.openIsBisect = false;
    const sample = this.read();
    if (calls.length === 0) return;
    this.stats.batchWindows++;
    const unseen = this.maxima.unseen(sample);
    if (unseen.length === 0) {
      this.quietWindows = Math.min(this.quietWindows + 1, 30);
      return;
    }
    this.quietWindows = 0;
    this.maxima.markSeen(unseen);
    this.stats.coveredFeatures = this.maxima.coveredCount();
    this.attribute({ calls, features: unseen });
  }

  private closeSingle(): void {
    const [call] = this.open;
    this.open = [];
    this.sinceSingleNs = 0;
    const sample = this.read();
    if (!call) return;
    const update = this.maxima.observe(sample);
    this.stats.coveredFeatures = this.maxima.coveredCount();
    this.events.push({ kind: 'single', input: call.input, latencyNs: call.latencyNs, update, sample });
  }

  /** A group known to cover features: one call is the answer, more are bisected. */
  private attribute(task: BisectTask): void {
    if (task.calls.length === 1) {
      const call = task.calls[0] as Call;
      this.events.push({ kind: 'new-coverage', input: call.input, latencyNs: call.latencyNs, update: null, sample: null });
      return;
    }
    this.tasks.push(task);
  }

  /** The first half of a group was re-run: split the features between the halves. */
  private finishBisectRun(): void {
    const running = this.running;
    this.running = null;
    this.open = [];
    this.openIsBisect = false;
    const sample = this.read();
    if (!running) return;
    this.stats.bisectRuns++;
    const covered = new Set(sample.ids);
    const inFirst = running.task.features.filter((f) => covered.has(f));
    const inSecond = running.task.features.filter((f) => !covered.has(f));
    const first = running.task.calls.slice(0, running.half.length);
    const second = running.task.calls.slice(running.half.length);
    if (inSecond.length > 0) this.attribute({ calls: second, features: inSecond });
    if (inFirst.length > 0) this.attribute({ calls: first, features: inFirst });
  }
}

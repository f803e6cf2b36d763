/**
 * The target driver: what the run pipeline needs from whatever runs a scenario's target,
 * whether a function in an isolate (drivers/isolate/driver.ts) or an HTTP service under load
 * (drivers/http/). The pipeline decides what to run (phases, budgets, verdicts); a driver
 * owns how: bringing the target up, calling or loading it, measuring, stopping it, and
 * turning its deaths into findings instead of letting them end the run.
 *
 * Each piece of work starts a fresh instance of the target (`measure` or `call`) and hands
 * back a RunningTarget: the isolate model, where a target that hangs or kills its process
 * must never outlive the phase that met it. A driver whose target is long-lived (a service)
 * may keep one instance behind several RunningTargets.
 *
 * The generic parameters keep this file free of any one driver's wire types: `Measure` is a
 * driver's description of a measured phase, `Finding` and `Snapshot` what it reports during one.
 */

/** What a driver reports while a piece of work runs. Called on the pipeline's thread, in order. */
export interface DriverListener<Finding, Snapshot> {
  /**
   * The target is loaded and runs the work: the same news as `RunningTarget.ready`, but told
   * in order with the other events, so a finding reported right after it already sees it.
   */
  onReady?(ready: TargetReady): void;
  /** Cumulative latency counts of the current target instance (its `generation`). */
  onSnapshot?(snapshot: Snapshot, generation: number): void;
  /** A slow call, a thrown error, a hang, a crash: never a reason for the run to stop. */
  onFinding?(finding: Finding): void;
  /**
   * The driver replaced a target instance that hung, crashed or ran out of memory, and goes
   * on with the same work; snapshots after this belong to `generation`.
   */
  onRestart?(generation: number, reason: string): void;
  /** Inputs the input engine kept for coverage or cost (saved encoding), for the corpus. */
  onKept?(inputs: Uint8Array[]): void;
}

/** The target is loaded and runs the work. */
export interface TargetReady {
  /** The input engine in use ('builtin', 'builtin-cost', 'replay', ...). */
  engine: string;
  /** The process that runs the target (for tracers and for the process registry). */
  pid: number;
}

/**
 * How a piece of work ended. Crash handling lives here: a target that killed its own
 * process is `crashed`, with the finding the driver recovered for it (already passed to
 * `onFinding`); a target that could not be loaded at all is `failed`.
 */
export interface TargetExit<Finding> {
  reason:
    /** The work ended by itself: its budget or call count was used up, or the calls were made. */
    | 'finished'
    /** After `stop()`: the call in flight finished (or was cut) and the target ended. */
    | 'stopped'
    /** After `kill()`. */
    | 'killed'
    /** The target stopped answering the driver and was killed. */
    | 'unresponsive'
    /** The target's process died without reporting (a signal, a native crash, an unexplained exit). */
    | 'crashed'
    /** The target reported a fatal error: it failed to load, or crashed too often to go on. */
    | 'failed';
  /** Why, for every reason but 'finished' and 'stopped' (null then). */
  message: string | null;
  /** 'failed' because the target never finished loading: a configuration error, not a finding. */
  loadTimeout: boolean;
  /** 'crashed': the finding for the death and whether its input is known (else the next instance should record every input). */
  crash: { finding: Finding; inputKnown: boolean } | null;
  /** The last output the target printed, for the context of a crash. */
  outputTail: string;
  /**
   * How the target's process ended (null when it is still running, as a long-lived service
   * may be): a target that finished its work and then exited non-zero is 'finished' but
   * still a failed process.
   */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One started piece of work. */
export interface RunningTarget<Finding> {
  /**
   * Resolves once the target is loaded and running the work. Rejects with TargetStartError
   * when the work ended first (the target failed to load, or died before it was ready).
   */
  readonly ready: Promise<TargetReady>;
  /** Asks the target to finish the call in flight and end; `exited` resolves after. */
  stop(): void;
  /** Ends the target at once (a target stuck in native code cannot finish its call). */
  kill(): void;
  readonly exited: Promise<TargetExit<Finding>>;
}

/** What calling a target with one input told: each call's latency, how it ended. */
export interface CallOutcome<Finding> {
  /** One latency per call that returned (a call that hung or crashed has none). */
  latenciesMs: number[];
  /** The first unexpected error a call threw or rejected with, if any. */
  threw: { message: string; stack: string | null } | null;
  /** A call that hung, crashed or exited: the driver's finding for it. */
  failure: Finding | null;
  exit: TargetExit<Finding>;
}

export interface TargetDriver<Measure, Finding, Snapshot> {
  /** Starts a fresh target instance on a measured phase (fuzzed calls, or load on a service). */
  measure(phase: Measure, listener: DriverListener<Finding, Snapshot>): RunningTarget<Finding>;
  /** Starts a fresh target instance and calls it with `input`, `repeats` times in a row. */
  call(input: Uint8Array, repeats: number, listener?: DriverListener<Finding, Snapshot>): RunningTarget<Finding> & { readonly outcome: Promise<CallOutcome<Finding>> };
}

/** `ready` rejected: the work ended before the target was loaded. */
export class TargetStartError extends Error {
  override name = 'TargetStartError';
  constructor(readonly exit: TargetExit<unknown>) {
    super(exit.message ?? `the target ended (${exit.reason}) before it was ready`);
  }
}

/**
 * The contract between the measured loop (inside the isolate) and an input engine.
 * The loop asks for an input, times one target call with it and hands the cost back;
 * engines that are cost- or coverage-guided use the feedback to decide what to keep.
 */

export interface CallFeedback {
  /** Wall time of the call in nanoseconds (high-resolution clock around the call). */
  latencyNs: number;
  /** Whether the call threw (the loop records throws as findings separately). */
  threw: boolean;
  /**
   * Coverage features hit by this call, when the engine has a coverage mechanism:
   * indexes into the engine's own feature space (edge ids, block ids).
   */
  coverage?: Uint32Array;
}

export interface InputSource {
  /** Engine name as shown in results ("builtin", "builtin-cost", "jazzer", ...). */
  readonly name: string;
  /** The next input to try, at most the scenario's maximum length. */
  next(): Uint8Array;
  /** Feedback for the input most recently returned by next(). */
  feedback(input: Uint8Array, result: CallFeedback): void;
  /** Inputs the engine judged interesting since the last call (to persist in the corpus). */
  drainInteresting(): Uint8Array[];
}

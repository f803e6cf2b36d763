/** Messages and shared memory between the bench supervisor and its worker threads. */

export type FuzzEngineKind = 'builtin' | 'fastcheck';

export interface FuzzWorkerData {
  kind: 'fuzz';
  engine: FuzzEngineKind;
  target: string;
  seed: number;
  seconds: number;
  /** A confirmation call running this long counts as a violation. */
  hangMs: number;
  control: SharedArrayBuffer;
  inputBuffer: SharedArrayBuffer;
}

export interface MeasureWorkerData {
  kind: 'measure';
  target: string;
}

export interface SyncMeasureWorkerData {
  kind: 'sync-measure';
  target: string;
  control: SharedArrayBuffer;
  result: SharedArrayBuffer;
  input: SharedArrayBuffer;
}

/** Int32 slots of the control buffer; Float64 slots follow at byte offset CONTROL_BYTES. */
export const SLOT = { IN_CALL: 0, INPUT_LENGTH: 1 } as const;
export const F64 = { CALL_STARTED_AT: 0, LOOP_STARTED_AT: 1 } as const;
export const CONTROL_BYTES = 16;
export const CONTROL_TOTAL_BYTES = CONTROL_BYTES + 16;

export interface FuzzOutcome {
  type: 'outcome';
  found: boolean;
  /**
   * From the first call to the moment the first confirmed violating call crossed the budget
   * (its start + budgetMs), in ms. Every engine and the hang watchdog use this same clock, so
   * neither how far a call overshoots the budget nor the confirmation re-runs count.
   */
  timeToViolationMs: number | null;
  /** From the first call until the violation's confirmation finished (ms), for information. */
  confirmedAfterMs?: number | null;
  inputHex: string | null;
  executions: number;
  /** Engine-specific notes (coverage mechanism, corpus size, ...). */
  detail: Record<string, string | number>;
}

export interface MeasureRequest {
  id: number;
  input: Uint8Array;
}

export interface MeasureReply {
  id: number;
  ms: number;
}

/**
 * Fixed-rate pacing of function-target calls (`slo.rate`), corrected for coordinated
 * omission the way the HTTP open-loop load is (load/schedule.ts): call i is due at
 * start + i/rate, and its latency counts from that intended start, not from when the loop
 * got round to it. A target that makes the loop fall behind is therefore charged for the
 * calls that queued behind it, as a user at that rate would be. Pure arithmetic on
 * milliseconds; the loop (drivers/isolate/measured-loop.ts) owns the clock.
 */

/** Largest `slo.rate` accepted: a microsecond between calls is below what a loop can hold. */
export const MAX_CALL_RATE = 1_000_000;

/** When call `index` (0-based) should start, ms on the loop's clock. */
export function intendedStartMs(startMs: number, index: number, rate: number): number {
  return startMs + (index * 1000) / rate;
}

/**
 * Latency counted from the intended start: the call's own time plus how late it started.
 * A call that started early (never, with the loop's waiting) is not credited for it.
 */
export function correctedLatencyMs(intendedMs: number, startedMs: number, endedMs: number): number {
  return endedMs - Math.min(intendedMs, startedMs);
}

/**
 * The intended schedule of one loop. Pauses the harness itself takes (confirming a slow
 * input by re-running it, yielding to the event loop) shift the schedule: they are not
 * time the target made callers wait, so they must not turn into lag.
 */
export class CallSchedule {
  private pausedMs = 0;
  constructor(
    private readonly startMs: number,
    readonly rate: number,
  ) {
    if (!(rate > 0 && rate <= MAX_CALL_RATE)) throw new RangeError(`rate must be > 0 and <= ${MAX_CALL_RATE} calls/s, got ${rate}`);
  }

  intendedMs(index: number): number {
    return intendedStartMs(this.startMs, index, this.rate) + this.pausedMs;
  }

  /** The harness made the next call `ms` late (harnessDelayMs): every later call is due that much later. */
  pause(ms: number): void {
    if (ms > 0) this.pausedMs += ms;
  }

  /** How long to wait before call `index` at time `nowMs`: 0 when it is due or late. */
  waitMs(index: number, nowMs: number): number {
    return Math.max(0, this.intendedMs(index) - nowMs);
  }
}

/**
 * How much of a harness pause from `fromMs` to `toMs` (generating the next input, re-running
 * a slow one to confirm it, yielding to the event loop) made the call due at `intendedMs`
 * late: the part after it was due. A pause while the loop was ahead of schedule would have
 * been spent waiting anyway and delays nothing.
 */
export function harnessDelayMs(intendedMs: number, fromMs: number, toMs: number): number {
  return Math.max(0, toMs - Math.max(fromMs, intendedMs));
}

/**
 * How to wait `remainingMs`: sleep for all but a short tail (a thread sleep overshoots by
 * tens of microseconds), then spin the tail. Sleeps are capped so that a stop request is
 * seen within `maxSleepMs`.
 */
export function sleepPortionMs(remainingMs: number, spinTailMs = 0.2, maxSleepMs = 50): number {
  if (!(remainingMs > spinTailMs)) return 0;
  return Math.min(remainingMs - spinTailMs, maxSleepMs);
}

/**
 * A toxic stage is one toxic acting on one direction of one connection. Stages are chained in
 * toxic creation order; each receives segments, holds or alters them, and emits them to the
 * next stage (or the destination socket). Time comes from an injected Scheduler so stages can
 * be unit-tested on a virtual clock.
 */
import type { Random } from '../random.ts';
import type { ToxicAttributes } from '../types.ts';

/** A chunk of bytes, or null for the end of the stream (the peer's FIN). */
export type Segment = Buffer | null;

export type CancelTimer = () => void;

export interface Scheduler {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `callback` after at least `delayMs`; returns a canceller. */
  schedule(callback: () => void, delayMs: number): CancelTimer;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};

export interface StageContext {
  /** Passes a segment on to the next stage in the chain (or to the destination socket). */
  emit(segment: Segment): void;
  scheduler: Scheduler;
  /** This toxic's own seeded stream on this connection. */
  random: Random;
  /** Ends both directions gracefully after already-written data (Toxiproxy closing a stub). */
  closeConnection(): void;
  /** Sends a TCP RST to the destination of this direction and closes the other side. */
  resetConnection(): void;
}

export interface ToxicStage {
  push(segment: Segment): void;
  /** New attributes apply to segments pushed from now on; held segments keep their schedule. */
  update(attributes: ToxicAttributes): void;
  /** Bytes currently held, for backpressure. */
  heldBytes(): number;
  /** The toxic is removed from this connection: release held data now (like Toxiproxy's interrupt). */
  detach(): void;
  /** The connection is gone: cancel timers and drop everything. */
  dispose(): void;
}

interface QueuedSegment {
  segment: Segment;
  due: number;
}

/**
 * FIFO of segments each released no earlier than its due time and never before the segments
 * queued ahead of it, so byte order is preserved whatever the individual delays are.
 * One timer at a time, armed for the head.
 */
export class ReleaseQueue {
  private readonly items: QueuedSegment[] = [];
  private head = 0;
  private bytes = 0;
  private cancel: CancelTimer | null = null;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly release: (segment: Segment) => void,
  ) {}

  enqueue(segment: Segment, due: number): void {
    if (this.isEmpty() && due <= this.scheduler.now()) {
      this.release(segment);
      return;
    }
    this.items.push({ segment, due });
    if (segment) this.bytes += segment.length;
    if (this.cancel === null) this.arm();
  }

  isEmpty(): boolean {
    return this.head >= this.items.length;
  }

  heldBytes(): number {
    return this.bytes;
  }

  /** Due time of the last queued segment, or -Infinity when empty. */
  lastDue(): number {
    return this.isEmpty() ? -Infinity : (this.items[this.items.length - 1] as QueuedSegment).due;
  }

  /** Releases everything now, in order. */
  flush(): void {
    this.stopTimer();
    while (!this.isEmpty()) this.releaseHead();
  }

  dispose(): void {
    this.stopTimer();
    this.items.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private stopTimer(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private arm(): void {
    const next = this.items[this.head];
    if (!next) return;
    // At least 1 ms, like Node's own timers, so an early wake-up cannot spin.
    this.cancel = this.scheduler.schedule(() => this.onTimer(), Math.max(1, next.due - this.scheduler.now()));
  }

  private onTimer(): void {
    this.cancel = null;
    const now = this.scheduler.now();
    // Timers may fire a little early: release only what is really due, then re-arm.
    while (!this.isEmpty() && (this.items[this.head] as QueuedSegment).due <= now) this.releaseHead();
    if (!this.isEmpty()) this.arm();
  }

  private releaseHead(): void {
    const item = this.items[this.head] as QueuedSegment;
    this.head++;
    if (item.segment) this.bytes -= item.segment.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.release(item.segment);
  }
}

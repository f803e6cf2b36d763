/**
 * Toxics that only delay or pace data: latency (uniform or Pareto), bandwidth, slow_close and
 * slicer. All release through a ReleaseQueue, so bytes keep their order and removal of the toxic
 * releases held data at once (nothing dropped, as in Toxiproxy).
 */
import { bandwidthPieceBytes, latencyDelayMs, slicePlan, transmitMs } from '../delays.ts';
import type {
  BandwidthAttributes,
  LatencyAttributes,
  SlicerAttributes,
  SlowCloseAttributes,
  ToxicAttributes,
} from '../types.ts';
import { ReleaseQueue, type Segment, type StageContext, type ToxicStage } from './stage.ts';

abstract class QueuedStage<A extends ToxicAttributes> implements ToxicStage {
  protected readonly queue: ReleaseQueue;

  constructor(
    protected readonly context: StageContext,
    protected attributes: A,
  ) {
    this.queue = new ReleaseQueue(context.scheduler, (segment) => context.emit(segment));
  }

  abstract push(segment: Segment): void;

  update(attributes: ToxicAttributes): void {
    this.attributes = attributes as A;
  }

  heldBytes(): number {
    return this.queue.heldBytes();
  }

  detach(): void {
    this.queue.flush();
  }

  dispose(): void {
    this.queue.dispose();
  }

  protected now(): number {
    return this.context.scheduler.now();
  }
}

/** Each chunk is due `delay` after it arrived; the end of stream follows the last chunk. */
export class LatencyStage extends QueuedStage<LatencyAttributes> {
  push(segment: Segment): void {
    const delay = segment ? latencyDelayMs(this.attributes, this.context.random) : 0;
    this.queue.enqueue(segment, this.now() + delay);
  }
}

/** Paces bytes at `rate` KB/s, in pieces of at most 100 ms worth. */
export class BandwidthStage extends QueuedStage<BandwidthAttributes> {
  private busyUntil = -Infinity;

  push(segment: Segment): void {
    const rate = this.attributes.rate;
    if (!segment || rate <= 0) {
      this.queue.enqueue(segment, this.now());
      return;
    }
    const pieceBytes = bandwidthPieceBytes(rate);
    for (let offset = 0; offset < segment.length; offset += pieceBytes) {
      const piece = segment.subarray(offset, offset + pieceBytes);
      this.busyUntil = Math.max(this.now(), this.busyUntil) + transmitMs(piece.length, rate);
      this.queue.enqueue(piece, this.busyUntil);
    }
  }
}

/** Data passes at once; the end of stream waits `delay` ms. */
export class SlowCloseStage extends QueuedStage<SlowCloseAttributes> {
  push(segment: Segment): void {
    this.queue.enqueue(segment, this.now() + (segment ? 0 : this.attributes.delay));
  }
}

/** Cuts chunks into small pieces, `delay` µs apart. */
export class SlicerStage extends QueuedStage<SlicerAttributes> {
  push(segment: Segment): void {
    if (!segment) {
      this.queue.enqueue(segment, this.now());
      return;
    }
    const gapMs = this.attributes.delay / 1000;
    let due = Math.max(this.now(), this.queue.lastDue());
    let offset = 0;
    for (const size of slicePlan(segment.length, this.attributes, this.context.random)) {
      this.queue.enqueue(segment.subarray(offset, offset + size), due);
      offset += size;
      due += gapMs;
    }
  }
}

/**
 * Toxics that drop data or end the connection: timeout, reset_peer and limit_data.
 */
import type { LimitDataAttributes, ResetPeerAttributes, TimeoutAttributes, ToxicAttributes } from '../types.ts';
import type { CancelTimer, Segment, StageContext, ToxicStage } from './stage.ts';

abstract class TimerStage<A extends ToxicAttributes> implements ToxicStage {
  protected cancel: CancelTimer | null = null;

  constructor(
    protected readonly context: StageContext,
    protected attributes: A,
  ) {}

  abstract push(segment: Segment): void;

  update(attributes: ToxicAttributes): void {
    this.attributes = attributes as A;
  }

  heldBytes(): number {
    return 0;
  }

  detach(): void {
    this.stopTimer();
  }

  dispose(): void {
    this.stopTimer();
  }

  protected stopTimer(): void {
    this.cancel?.();
    this.cancel = null;
  }
}

/**
 * Drops all data. With timeout > 0 the connection is closed that long after the toxic met the
 * connection (at connection start, or when the toxic was added); with 0 it is held forever.
 * Removing the toxic closes the connection, as Toxiproxy does: the dropped bytes left the stream
 * unusable.
 */
export class TimeoutStage extends TimerStage<TimeoutAttributes> {
  constructor(context: StageContext, attributes: TimeoutAttributes) {
    super(context, attributes);
    this.arm();
  }

  push(segment: Segment): void {
    if (segment === null) this.context.emit(null);
  }

  override update(attributes: ToxicAttributes): void {
    super.update(attributes);
    this.stopTimer();
    this.arm();
  }

  override detach(): void {
    this.stopTimer();
    this.context.closeConnection();
  }

  private arm(): void {
    if (this.attributes.timeout > 0) {
      this.cancel = this.context.scheduler.schedule(() => this.context.closeConnection(), this.attributes.timeout);
    }
  }
}

/** On the first segment, waits `timeout` ms, then resets the connection; data is dropped. */
export class ResetPeerStage extends TimerStage<ResetPeerAttributes> {
  private triggered = false;

  push(_segment: Segment): void {
    if (this.triggered) return;
    this.triggered = true;
    if (this.attributes.timeout <= 0) {
      this.context.resetConnection();
      return;
    }
    this.cancel = this.context.scheduler.schedule(() => this.context.resetConnection(), this.attributes.timeout);
  }
}

/** Lets `bytes` bytes through (counted per connection and direction), then closes. */
export class LimitDataStage extends TimerStage<LimitDataAttributes> {
  private transmitted = 0;
  private closed = false;

  push(segment: Segment): void {
    if (this.closed) return;
    if (segment === null) {
      this.context.emit(null);
      return;
    }
    const remaining = Math.max(0, Math.floor(this.attributes.bytes) - this.transmitted);
    const allowed = remaining < segment.length ? segment.subarray(0, remaining) : segment;
    if (allowed.length > 0) {
      this.transmitted += allowed.length;
      this.context.emit(allowed);
    }
    if (this.transmitted >= this.attributes.bytes) {
      this.closed = true;
      this.context.closeConnection();
    }
  }
}

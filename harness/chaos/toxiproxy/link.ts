/**
 * One direction of a proxied connection: bytes read from `source` go through the chain of
 * active toxic stages (in toxic creation order) and are written to `sink`.
 *
 * With no active stage, every chunk is written straight to the sink inside the 'data' handler:
 * no timers, no queues, the same work as `source.pipe(sink)`. Stages are added and removed while
 * data flows; a removed stage first releases what it holds into the rest of the chain, so byte
 * order is preserved across the switch.
 */
import type { Socket } from 'node:net';
import type { Random } from './random.ts';
import { createStage } from './stages/create-stage.ts';
import type { Scheduler, Segment, StageContext, ToxicStage } from './stages/stage.ts';
import type { ToxicJson } from './types.ts';

/** Stop reading from the source while stages hold more than this... */
const HOLD_HIGH_WATER = 1 << 20;
/** ...and read again once they hold less than this. */
const HOLD_LOW_WATER = 1 << 18;

/** What a link needs from its connection when a toxic ends it. */
export interface LinkOwner {
  closeGracefully(): void;
  resetToward(sink: Socket): void;
}

interface LinkToxic {
  toxic: ToxicJson;
  random: Random;
  /** null when this connection was not selected by the toxic's toxicity. */
  stage: ToxicStage | null;
}

export class Link {
  private readonly toxics: LinkToxic[] = [];
  private activeStages = 0;
  private pausedForSink = false;
  private pausedForHold = false;
  private stopped = false;

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly owner: LinkOwner,
    private readonly scheduler: Scheduler,
  ) {
    source.on('data', this.onData);
    source.on('end', this.onEnd);
  }

  /** Adds a toxic at the end of the chain; `random` is its seeded stream for this connection. */
  addToxic(toxic: ToxicJson, random: Random): void {
    const entry: LinkToxic = { toxic, random, stage: null };
    this.toxics.push(entry);
    if (this.isSelected(entry)) this.activate(entry);
  }

  /** New attributes apply to data arriving from now on; a changed toxicity is drawn again. */
  updateToxic(toxic: ToxicJson): void {
    const entry = this.toxics.find((candidate) => candidate.toxic.name === toxic.name);
    if (!entry) return;
    const toxicityChanged = entry.toxic.toxicity !== toxic.toxicity;
    entry.toxic = toxic;
    if (!toxicityChanged) {
      entry.stage?.update(toxic.attributes);
      return;
    }
    const selected = this.isSelected(entry);
    if (selected && !entry.stage) this.activate(entry);
    else if (!selected && entry.stage) this.deactivate(entry);
    else entry.stage?.update(toxic.attributes);
  }

  removeToxic(name: string): void {
    const entry = this.toxics.find((candidate) => candidate.toxic.name === name);
    if (!entry) return;
    // Deactivate while still in the chain, so what it releases enters the stages after it.
    if (entry.stage) this.deactivate(entry);
    this.toxics.splice(this.toxics.indexOf(entry), 1);
  }

  /** Stops forwarding for good: held data is dropped, further input is read and discarded. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of this.toxics) entry.stage?.dispose();
    this.activeStages = 0;
    this.pausedForSink = this.pausedForHold = false;
    if (!this.source.destroyed) this.source.resume();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.activeStages === 0) this.writeToSink(chunk);
    else this.deliverFrom(0, chunk);
  };

  private readonly onEnd = (): void => {
    if (this.activeStages === 0) this.writeToSink(null);
    else this.deliverFrom(0, null);
  };

  private isSelected(entry: LinkToxic): boolean {
    return entry.random() < entry.toxic.toxicity;
  }

  private activate(entry: LinkToxic): void {
    const context: StageContext = {
      emit: (segment) => {
        const index = this.toxics.indexOf(entry);
        // A stage taken out of the chain has nowhere to send to.
        if (index >= 0) this.deliverFrom(index + 1, segment);
      },
      scheduler: this.scheduler,
      random: entry.random,
      closeConnection: () => this.owner.closeGracefully(),
      resetConnection: () => this.owner.resetToward(this.sink),
    };
    entry.stage = createStage(entry.toxic, context);
    this.activeStages++;
  }

  private deactivate(entry: LinkToxic): void {
    const stage = entry.stage;
    if (!stage) return;
    // Release first (into the rest of the chain), then take the stage out.
    stage.detach();
    stage.dispose();
    entry.stage = null;
    this.activeStages = Math.max(0, this.activeStages - 1);
    this.relieveHold();
  }

  /** Hands a segment to the first active stage at or after `index`, else to the sink. */
  private deliverFrom(index: number, segment: Segment): void {
    if (this.stopped) return;
    for (let i = Math.max(0, index); i < this.toxics.length; i++) {
      const stage = (this.toxics[i] as LinkToxic).stage;
      if (stage) {
        stage.push(segment);
        if (segment) this.checkHold();
        return;
      }
    }
    this.writeToSink(segment);
    this.relieveHold();
  }

  private writeToSink(segment: Segment): void {
    const sink = this.sink;
    if (this.stopped || sink.destroyed || sink.writableEnded) return;
    if (segment === null) {
      sink.end();
      return;
    }
    if (!sink.write(segment) && !this.pausedForSink) {
      this.pausedForSink = true;
      this.source.pause();
      sink.once('drain', this.onDrain);
    }
  }

  private readonly onDrain = (): void => {
    this.pausedForSink = false;
    this.resumeIfFree();
  };

  private heldBytes(): number {
    let total = 0;
    for (const entry of this.toxics) total += entry.stage?.heldBytes() ?? 0;
    return total;
  }

  private checkHold(): void {
    if (!this.pausedForHold && this.heldBytes() > HOLD_HIGH_WATER) {
      this.pausedForHold = true;
      this.source.pause();
    }
  }

  private relieveHold(): void {
    if (this.pausedForHold && this.heldBytes() < HOLD_LOW_WATER) {
      this.pausedForHold = false;
      this.resumeIfFree();
    }
  }

  private resumeIfFree(): void {
    if (!this.pausedForSink && !this.pausedForHold && !this.source.destroyed) this.source.resume();
  }
}

import type { ToxicJson } from '../types.ts';
import { LimitDataStage, ResetPeerStage, TimeoutStage } from './closing.ts';
import { BandwidthStage, LatencyStage, SlicerStage, SlowCloseStage } from './delaying.ts';
import type { StageContext, ToxicStage } from './stage.ts';

/** Instantiates the stage of one toxic for one connection direction. */
export function createStage(toxic: ToxicJson, context: StageContext): ToxicStage {
  switch (toxic.type) {
    case 'latency':
      return new LatencyStage(context, toxic.attributes);
    case 'bandwidth':
      return new BandwidthStage(context, toxic.attributes);
    case 'slow_close':
      return new SlowCloseStage(context, toxic.attributes);
    case 'slicer':
      return new SlicerStage(context, toxic.attributes);
    case 'timeout':
      return new TimeoutStage(context, toxic.attributes);
    case 'reset_peer':
      return new ResetPeerStage(context, toxic.attributes);
    case 'limit_data':
      return new LimitDataStage(context, toxic.attributes);
  }
}

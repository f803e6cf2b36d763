/**
 * Recording of inputs for crash recovery, on the isolate worker's hot path: each input the
 * feeder hands out goes into the shared ring and, while cheap, the in-flight file, before
 * the timed call. Its own module so the overhead bench runs exactly this code.
 */
import type { Feeder } from '../../engine/feeders.ts';
import type { IsolateConfig } from './protocol.ts';
import { InFlightWriter, ringPush, type RingView } from './recovery-files.ts';

/**
 * Leaves each input where the parent finds it if the target kills this whole process:
 * in the shared ring always, in the in-flight file while that is cheap (recovery-files.ts).
 * Called as the input leaves the feeder, before the timed window: the measured latency
 * never includes the write.
 */
export function createInputRecorder(config: IsolateConfig, ring: RingView | null): (bytes: Uint8Array) => void {
  const file = config.recovery?.inFlightFile;
  let writer: InFlightWriter | null = null;
  try {
    writer = file ? new InFlightWriter(file, config.scenario.input.maxLength, config.recordEveryInput === true) : null;
  } catch {
    writer = null; // An unwritable temp folder costs crash recovery, not the run.
  }
  return (bytes) => {
    if (ring) ringPush(ring, bytes);
    writer?.record(bytes);
  };
}

/** The feeder with every input recorded as it leaves it. */
export function recordingFeeder(feeder: Feeder, record: (bytes: Uint8Array) => void): Feeder {
  const drain = feeder.drainInteresting?.bind(feeder);
  return {
    engine: feeder.engine,
    next: () => {
      const input = feeder.next();
      record(input.bytes);
      return input;
    },
    feedback: (input, result) => feeder.feedback(input, result),
    ...(drain ? { drainInteresting: drain } : {}),
  };
}

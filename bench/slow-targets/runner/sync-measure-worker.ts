/** Worker side of SyncMeasure: waits for a request in shared memory, times one call, answers. */
import { workerData } from 'node:worker_threads';
import { loadSlowTarget } from '../index.ts';
import { timeCallMs, warmUp } from './budget.ts';
import type { SyncMeasureWorkerData } from './protocol.ts';
import { SYNC } from './sync-measure.ts';

const data = workerData as SyncMeasureWorkerData;
const control = new Int32Array(data.control);
const result = new Float64Array(data.result);
const input = new Uint8Array(data.input);
const target = await loadSlowTarget(data.target);
// Steady state first: the first measurement must not pay for compilation (budget.ts warmUp).
warmUp(target);
Atomics.store(control, SYNC.STATE, SYNC.IDLE);
Atomics.notify(control, SYNC.STATE);
for (;;) {
  while (Atomics.load(control, SYNC.STATE) !== SYNC.REQUEST) Atomics.wait(control, SYNC.STATE, Atomics.load(control, SYNC.STATE));
  const n = control[SYNC.LENGTH] as number;
  result[0] = timeCallMs(target.fuzz, Buffer.from(input.subarray(0, n)));
  Atomics.store(control, SYNC.STATE, SYNC.ANSWERED);
  Atomics.notify(control, SYNC.STATE);
}

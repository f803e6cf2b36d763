/**
 * Measurement service for shrinking and calibration: times one call per request. The
 * slow targets do not memoise, so repeated calls in this warm worker measure the same
 * work; a target with a cache would need a fresh isolate or a never-seen variant per
 * measurement (see harness/search/shrink.ts, Measure).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSlowTarget } from '../index.ts';
import { timeCallMs, warmUp } from './budget.ts';
import type { MeasureReply, MeasureRequest, MeasureWorkerData } from './protocol.ts';

const data = workerData as MeasureWorkerData;
const target = await loadSlowTarget(data.target);
// Steady state first: the first measurement must not pay for compilation (budget.ts warmUp).
warmUp(target);
parentPort?.on('message', (request: MeasureRequest) => {
  const ms = timeCallMs(target.fuzz, Buffer.from(request.input));
  const reply: MeasureReply = { id: request.id, ms };
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ id: -1, ms: 0 } satisfies MeasureReply);

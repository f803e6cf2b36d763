/**
 * Runs inside a worker thread (the same kind of isolate the harness uses): a bare loop
 * calling the target, then the harness's real measured loop on the same pre-generated
 * inputs, and reports both call rates. The loop's feeder is wrapped as the isolate worker
 * wraps it (drivers/isolate/input-recorder.ts): every input goes into the crash-recovery ring and,
 * while cheap, the in-flight file, so the cost of that recording is in the figure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Feeder, FedInput } from '../harness/engine/feeders.ts';
import { createSharedCounts, sharedTotal } from '../harness/measure/shared-counts.ts';
import { resolveScenarios } from '../harness/scenario/schema.ts';
import { CONTROL } from '../harness/drivers/isolate/protocol.ts';
import { runMeasuredLoop, type LoopShared } from '../harness/drivers/isolate/measured-loop.ts';
import { createInputRecorder, recordingFeeder } from '../harness/drivers/isolate/input-recorder.ts';
import { createRing, ringView } from '../harness/drivers/isolate/recovery-files.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const { calls, rounds } = workerData as { calls: number; rounds: number };

// ~110-byte documents: JSON.parse costs about 1 µs each here, the target size the goal names.
const docs = Array.from({ length: 256 }, (_, i) =>
  JSON.stringify({ id: i, ok: i % 2 === 0, name: `item-${i}`, tags: ['a', 'b'], price: i * 1.5, owner: { team: 'sre', oncall: i % 3 } }),
);
const inputs: FedInput[] = docs.map((d) => ({ value: d, bytes: Buffer.from(d) }));
const target = (text: unknown): unknown => JSON.parse(text as string);

function bareRate(n: number): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += (target(docs[i & 255]) as { id: number }).id;
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return (n / ms) * 1000;
}

const recoveryDir = mkdtempSync(path.join(os.tmpdir(), 'slo-overhead-'));

async function harnessRate(n: number): Promise<number> {
  let i = 0;
  const pregenerated: Feeder = { engine: 'pregenerated', next: () => inputs[i++ & 255] as FedInput, feedback() {} };
  const shared: LoopShared = {
    control: new Int32Array(new SharedArrayBuffer(CONTROL.INT32_SLOTS * 4)),
    times: new Float64Array(new SharedArrayBuffer(CONTROL.FLOAT64_SLOTS * 8)),
    input: new Uint8Array(new SharedArrayBuffer(4096)),
    counts: new Float64Array(createSharedCounts()),
  };
  const [scenario] = resolveScenarios({ name: 'overhead', target, input: { type: 'string' }, slo: { p99: '1s' } }, { file: '/dev/null/overhead.scenario.ts' });
  if (!scenario) throw new Error('scenario did not resolve');
  const recovery = { inFlightFile: path.join(recoveryDir, 'in-flight'), ringFile: path.join(recoveryDir, 'ring') };
  const config = { scenario, seed: 1, mode: { kind: 'fuzz' as const, durationMs: 600_000, calls: n }, seeds: [], confirmRepeats: 2, snapshotIntervalMs: 250, generation: 0, avoid: [], recovery };
  const feeder = recordingFeeder(pregenerated, createInputRecorder(config, ringView(createRing(4096), 4096)));
  const t0 = performance.now();
  await runMeasuredLoop(shared, { call: target, expectedError: null }, feeder, config, () => {});
  const ms = performance.now() - t0;
  if (sharedTotal(shared.counts) !== n) throw new Error(`loop recorded ${sharedTotal(shared.counts)} of ${n} calls`);
  return (n / ms) * 1000;
}

// Warm both paths, then alternate rounds so drift on a noisy machine hits both alike.
bareRate(calls / 4);
await harnessRate(calls / 4);
const bare: number[] = [];
const harness: number[] = [];
for (let r = 0; r < rounds; r++) {
  bare.push(bareRate(calls));
  harness.push(await harnessRate(calls));
}
rmSync(recoveryDir, { recursive: true, force: true });
parentPort?.postMessage({ bare, harness });

/**
 * After the isolate host died without a word (a signal, an unexplained exit code): which
 * input did it? The in-flight file names it when the worker was writing every input;
 * otherwise the inputs of the last flushed ring are replayed one by one, newest first, as
 * first calls in a probe, until one kills the probe host too (bounded in count and time).
 */
import type { FindingMessage, IsolateConfig } from './protocol.ts';
import { readInFlight, readRingFile, type RecoveryFiles } from './recovery-files.ts';
import { startProbe } from './probe.ts';

/** Ring replay bounds: at most this many inputs and this long in all. */
const MAX_REPLAYS = 64;
const MAX_REPLAY_MS = 20_000;
const KILLING_KINDS = new Set(['crash', 'exit', 'oom']);

export interface RecoveredCrash {
  finding: FindingMessage;
  /** False when no input could be tied to the death: the next isolate should write every input. */
  inputKnown: boolean;
}

function describeDeath(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `the isolate process was killed by ${signal}` : `the isolate process exited with code ${code} without reporting`;
}

function crashFinding(input: Uint8Array, message: string): FindingMessage {
  // One finding per input: two inputs that kill the process are two causes as far as anyone can tell.
  return { type: 'finding', kind: 'crash', input, latencyMs: 0, confirmMs: [], message, stack: null, signature: `crash:${Buffer.from(input).toString('base64')}` };
}

export async function recoverCrash(config: IsolateConfig, files: RecoveryFiles, code: number | null, signal: NodeJS.Signals | null): Promise<RecoveredCrash> {
  const death = describeDeath(code, signal);
  const inFlight = readInFlight(files.inFlightFile);
  if (inFlight) return { finding: crashFinding(inFlight, `${death} during this call (the target killed its own process, or crashed natively)`), inputKnown: true };
  const killer = await findKillerInRing(config, readRingFile(files.ringFile));
  if (killer) return { finding: crashFinding(killer, `${death}; this input, replayed from the last inputs before the death, kills a fresh process too`), inputKnown: true };
  return { finding: crashFinding(new Uint8Array(0), `${death}; the input was not recovered (the calls were too fast to record each one; the next isolate records every input)`), inputKnown: false };
}

async function findKillerInRing(config: IsolateConfig, ring: Uint8Array[]): Promise<Uint8Array | null> {
  if (ring.length === 0) return null;
  const deadline = Date.now() + MAX_REPLAY_MS;
  let probe;
  try {
    probe = await startProbe(config.scenario, { workers: 1, seed: config.seed });
  } catch {
    return null;
  }
  try {
    for (const input of ring.slice(0, MAX_REPLAYS)) {
      if (Date.now() > deadline) break;
      const call = await probe.measureOne(input, 0).catch(() => null);
      if (call && KILLING_KINDS.has(call.kind)) return input;
    }
    return null;
  } finally {
    await probe.close().catch(() => undefined);
  }
}

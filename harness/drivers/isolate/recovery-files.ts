/**
 * Inputs that outlive the process that ran them. A target that kills its own process
 * (process.kill(process.pid, 'SIGKILL'), process.abort(), a native crash) takes the
 * isolate host and its shared memory with it, so the input in flight is written where the
 * parent can read it after the death:
 *
 *  - the in-flight file: the worker writes each input (one pwrite at offset 0: length
 *    header + bytes) before the call, while that costs under ~5% of the mean call period
 *    (a write is ~3 µs: on for calls of ~60 µs and more); otherwise it marks the file stale;
 *  - the ring: the last N inputs, copied by the worker into shared memory (a memcpy per
 *    call) and written to the ring file by the host on every watchdog tick.
 *
 * The parent (isolate.ts) reads the in-flight file when it is current, else replays the
 * ring's inputs in a probe to find the one that kills.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseMillisecondsSetting } from '../../core/duration.ts';
import { medianLow } from '../../core/stats.ts';

export interface RecoveryFiles {
  /** The input of the call in progress (when the worker writes per call). */
  inFlightFile: string;
  /** The last inputs, flushed by the host every watchdog tick. */
  ringFile: string;
}

const STALE = 0xffffffff;
const HEADER = 8;
const MAGIC = 0x534c4f49; // "SLOI"
/** Share of the mean call period the per-call write may cost. */
export const IN_FLIGHT_MAX_SHARE = 0.05;
/** Inputs between two decisions on whether per-call writes are cheap enough. */
const DECISION_WINDOW = 64;

/** A private folder for one isolate's recovery files (removed by `removeRecoveryFiles`). */
export function createRecoveryFiles(): RecoveryFiles & { dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slo-harness-inputs-'));
  return { dir, inFlightFile: path.join(dir, 'in-flight.bin'), ringFile: path.join(dir, 'ring.bin') };
}

export function removeRecoveryFiles(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Worker side: writes each input before its call while writes are cheap relative to calls.
 * Starts on (the first inputs are seeds, and a seed that kills is the easiest to lose).
 */
export class InFlightWriter {
  private readonly fd: number;
  private readonly buffer: Buffer;
  private readonly writeMs: number;
  private enabled = true;
  private count = 0;
  private windowStart = performance.now();

  /** `always`: write every input whatever it costs (after a death whose input was lost). */
  constructor(
    file: string,
    maxLength: number,
    private readonly always = false,
  ) {
    this.fd = openSync(file, 'w');
    this.buffer = Buffer.alloc(HEADER + Math.max(1, maxLength));
    this.writeMs = this.measureWriteMs();
  }

  /** Median cost of one write, ms, measured on this file at start. */
  private measureWriteMs(): number {
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      this.writeHeader(STALE, Math.min(64, this.buffer.length));
      samples.push(performance.now() - t0);
    }
    const median = medianLow(samples);
    return Number.isNaN(median) ? 0.003 : median;
  }

  get writing(): boolean {
    return this.enabled;
  }

  record(bytes: Uint8Array): void {
    if (++this.count % DECISION_WINDOW === 0) this.decide();
    if (!this.enabled) return;
    const n = Math.min(bytes.length, this.buffer.length - HEADER);
    this.buffer.set(n === bytes.length ? bytes : bytes.subarray(0, n), HEADER);
    this.writeHeader(n, HEADER + n);
  }

  /** Per-call writes stay on while they cost under IN_FLIGHT_MAX_SHARE of the mean period. */
  private decide(): void {
    if (this.always) return;
    const now = performance.now();
    const periodMs = (now - this.windowStart) / DECISION_WINDOW - (this.enabled ? this.writeMs : 0);
    this.windowStart = now;
    const cheap = this.writeMs <= IN_FLIGHT_MAX_SHARE * periodMs;
    if (cheap === this.enabled) return;
    this.enabled = cheap;
    // A stale file must never be read as the input in flight.
    if (!cheap) this.writeHeader(STALE, HEADER);
  }

  private writeHeader(length: number, total: number): void {
    this.buffer.writeUInt32LE(length, 0);
    this.buffer.writeUInt32LE(MAGIC, 4);
    writeSync(this.fd, this.buffer, 0, total, 0);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The in-flight input, or null when the file is missing, stale or torn. */
export function readInFlight(file: string): Uint8Array | null {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return null;
  }
  if (data.length < HEADER || data.readUInt32LE(4) !== MAGIC) return null;
  const length = data.readUInt32LE(0);
  if (length === STALE || HEADER + length > data.length) return null;
  return new Uint8Array(data.subarray(HEADER, HEADER + length));
}

/** Shared ring of the last inputs: [seq][length per slot][slot bytes...]. */
export interface RingView {
  seq: Int32Array;
  lengths: Int32Array;
  bytes: Uint8Array;
  slotBytes: number;
}

/** Up to 64 slots of maxLength bytes each, at most ~4 MiB in all. */
export function createRing(maxLength: number): SharedArrayBuffer {
  const slotBytes = Math.max(1, maxLength);
  const slots = Math.max(4, Math.min(64, Math.floor((4 << 20) / slotBytes)));
  return new SharedArrayBuffer(4 + 4 * slots + slots * slotBytes);
}

export function ringView(buffer: SharedArrayBuffer, maxLength: number): RingView {
  const slotBytes = Math.max(1, maxLength);
  const slots = (buffer.byteLength - 4) / (4 + slotBytes);
  return { seq: new Int32Array(buffer, 0, 1), lengths: new Int32Array(buffer, 4, slots), bytes: new Uint8Array(buffer, 4 + 4 * slots), slotBytes };
}

/** Worker side, before each call: a memcpy and two stores. */
export function ringPush(ring: RingView, input: Uint8Array): void {
  const seq = ring.seq[0] ?? 0;
  const slot = seq % ring.lengths.length;
  const n = Math.min(input.length, ring.slotBytes);
  ring.bytes.set(n === input.length ? input : input.subarray(0, n), slot * ring.slotBytes);
  ring.lengths[slot] = n;
  Atomics.store(ring.seq, 0, seq + 1);
}

/** The ring's inputs, newest first. */
export function ringEntries(ring: RingView): Uint8Array[] {
  const seq = Atomics.load(ring.seq, 0);
  const slots = ring.lengths.length;
  const out: Uint8Array[] = [];
  for (let k = 1; k <= Math.min(seq, slots); k++) {
    const slot = (seq - k) % slots;
    const n = Math.max(0, Math.min(ring.lengths[slot] ?? 0, ring.slotBytes));
    out.push(ring.bytes.slice(slot * ring.slotBytes, slot * ring.slotBytes + n));
  }
  return out;
}

/** Host side, every watchdog tick: write+rename, so a death mid-write leaves the last whole ring. */
export function flushRing(entries: readonly Uint8Array[], file: string): void {
  const total = 8 + entries.reduce((n, e) => n + 4 + e.length, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(entries.length, 4);
  let at = 8;
  for (const entry of entries) {
    out.writeUInt32LE(entry.length, at);
    out.set(entry, at + 4);
    at += 4 + entry.length;
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
}

/** The flushed ring, newest first; empty when missing or torn. */
export function readRingFile(file: string): Uint8Array[] {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return [];
  }
  if (data.length < 8 || data.readUInt32LE(0) !== MAGIC) return [];
  const count = data.readUInt32LE(4);
  const out: Uint8Array[] = [];
  let at = 8;
  for (let i = 0; i < count && at + 4 <= data.length; i++) {
    const n = data.readUInt32LE(at);
    if (at + 4 + n > data.length) break;
    out.push(new Uint8Array(data.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return out;
}

/**
 * How long a worker may take to load the scenario: SLO_HARNESS_LOAD_TIMEOUT_MS (for tests
 * and slow machines), else the scenario's `loadTimeoutMs` when the schema has it, else 30 s.
 */
export function loadTimeoutMs(scenario: object): number {
  const raw = process.env['SLO_HARNESS_LOAD_TIMEOUT_MS']?.trim();
  if (raw) {
    // Milliseconds, or a duration ("5s"), as the main thread's import deadline reads it (scenario/load.ts).
    const parsed = parseMillisecondsSetting(raw);
    if (parsed.ok && parsed.ms > 0) return parsed.ms;
  }
  const own = (scenario as { loadTimeoutMs?: unknown }).loadTimeoutMs;
  return typeof own === 'number' && own > 0 ? own : 30_000;
}

export function loadTimeoutMessage(file: string, ms: number): string {
  const shown = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
  return `the scenario module ${file} did not finish loading within ${shown}: its top-level code hangs or waits on something that never comes (fix the module, or raise loadTimeoutMs / SLO_HARNESS_LOAD_TIMEOUT_MS)`;
}

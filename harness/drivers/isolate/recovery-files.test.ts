import { afterEach, describe, expect, it } from 'vitest';
import { describeThrown, safeThen } from './hostile-values.ts';
import { createRecoveryFiles, createRing, flushRing, InFlightWriter, loadTimeoutMs, readInFlight, readRingFile, removeRecoveryFiles, ringEntries, ringPush, ringView } from './recovery-files.ts';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const text = (b: Uint8Array | null | undefined): string | null => (b ? Buffer.from(b).toString() : null);

describe('recovery files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) removeRecoveryFiles(dir);
  });

  it('the in-flight file holds the last input written, a shorter one after a longer one included', () => {
    const files = createRecoveryFiles();
    dirs.push(files.dir);
    const writer = new InFlightWriter(files.inFlightFile, 32, true);
    writer.record(bytes('a long first input'));
    writer.record(bytes('KILL'));
    expect(text(readInFlight(files.inFlightFile))).toBe('KILL');
    writer.close();
  });

  it('per-call writes stop (and the file reads as stale) when calls are much cheaper than a write', () => {
    const files = createRecoveryFiles();
    dirs.push(files.dir);
    const writer = new InFlightWriter(files.inFlightFile, 32);
    // Back-to-back records: the "calls" between them cost nothing, so the write is far over 5%.
    for (let i = 0; i < 64; i++) writer.record(bytes(`input ${i}`));
    expect(writer.writing).toBe(false);
    expect(readInFlight(files.inFlightFile)).toBeNull();
    writer.close();
  });

  it('the ring keeps the newest inputs first and survives a flush to its file', () => {
    const files = createRecoveryFiles();
    dirs.push(files.dir);
    const ring = ringView(createRing(8), 8);
    for (let i = 0; i < 100; i++) ringPush(ring, bytes(`in-${i}`));
    const entries = ringEntries(ring);
    expect(entries.length).toBe(ring.lengths.length);
    expect(text(entries[0])).toBe('in-99');
    flushRing(entries, files.ringFile);
    expect(readRingFile(files.ringFile).map(text)).toEqual(entries.map(text));
  });

  it('a missing or torn file reads as nothing', () => {
    expect(readInFlight('/nonexistent/in-flight.bin')).toBeNull();
    expect(readRingFile('/nonexistent/ring.bin')).toEqual([]);
  });

  it('the load deadline comes from the environment, then the scenario, then 30 s', () => {
    const saved = process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'];
    try {
      delete process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'];
      expect(loadTimeoutMs({})).toBe(30_000);
      expect(loadTimeoutMs({ loadTimeoutMs: 5000 })).toBe(5000);
      process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'] = '1500';
      expect(loadTimeoutMs({ loadTimeoutMs: 5000 })).toBe(1500);
      process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'] = '2s';
      expect(loadTimeoutMs({})).toBe(2000);
    } finally {
      if (saved === undefined) delete process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'];
      else process.env['SLO_HARNESS_LOAD_TIMEOUT_MS'] = saved;
    }
  });
});

describe('hostile values', () => {
  const trap = (): never => {
    throw new Error('trap');
  };

  it('describes a Proxy that throws on every trap without throwing', () => {
    const proxy = new Proxy({}, { get: trap, getPrototypeOf: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
    expect(describeThrown(proxy).message).toMatch(/^non-Error thrown: /);
    expect(safeThen(proxy)).toBeNull();
  });

  it('describes null-prototype objects, throwing toString and primitives', () => {
    expect(describeThrown(Object.create(null)).message).toBe('non-Error thrown: [object Object]');
    expect(describeThrown({ toString: trap }).message).toBe('non-Error thrown: [object Object]');
    expect(describeThrown(null).message).toBe('non-Error thrown: null');
    expect(describeThrown(Symbol('s')).message).toBe('non-Error thrown: s');
    expect(describeThrown('x'.repeat(10_000)).message.length).toBeLessThan(4100);
  });

  it('reads an error whose stack getter throws', () => {
    const error = new TypeError('bad');
    Object.defineProperty(error, 'stack', { get: trap });
    expect(describeThrown(error)).toMatchObject({ message: 'TypeError: bad', stack: null, kind: 'TypeError' });
  });
});

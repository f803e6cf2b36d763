import { afterAll, describe, expect, it } from 'vitest';
import { classify } from '../coverage/fixtures/branchy.ts';
import { startV8BlockCoverage } from '../coverage/v8-block-coverage.ts';
import { CoverageWindows, type WindowEvent } from './coverage-windows.ts';

const started = startV8BlockCoverage({ include: (url) => url.endsWith('/fixtures/branchy.ts') });
afterAll(() => started.probe?.stop());
const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Runs inputs through the window protocol the engine follows; returns the events. */
function drive(windows: CoverageWindows, inputs: Uint8Array[]): { events: WindowEvent[]; calls: number } {
  const events: WindowEvent[] = [];
  let cursor = 0;
  let calls = 0;
  while (cursor < inputs.length || windows.bisecting) {
    const again = windows.bisecting ? windows.nextBisectInput() : null;
    const input = again ?? (inputs[cursor++] as Uint8Array);
    classify(Buffer.from(input).toString('latin1'));
    calls++;
    windows.afterCall(input, 1_000, false);
    events.push(...windows.drain());
  }
  return { events, calls };
}

describe('CoverageWindows (real V8 coverage)', () => {
  it('attributes new blocks in a batch to the one input that reached them', () => {
    const windows = new CoverageWindows(started.probe!, { readCostNs: 1e6, overhead: 0.1 });
    // Warm up on plain inputs so their blocks are known.
    drive(windows, Array.from({ length: 300 }, (_, i) => bytes(`plain${i}`)));
    const inputs = Array.from({ length: 400 }, (_, i) => bytes(i === 277 ? 'deep!' : `plain${i}`));
    const { events, calls } = drive(windows, inputs);
    windows.flush();
    events.push(...drive(windows, []).events);
    const kept = events.filter((e) => e.kind === 'new-coverage').map((e) => Buffer.from(e.input).toString('latin1'));
    expect(kept).toEqual(['deep!']);
    // Bisection re-runs about one window's worth of calls, not every call.
    expect(calls).toBeLessThan(inputs.length * 2);
    expect(windows.stats.bisectRuns).toBeGreaterThan(0);
    expect(windows.stats.reads).toBeLessThan(calls / 4);
  });

  it('reads nothing while paused, then takes what the paused calls reached as seen, attributing none of it', () => {
    const windows = new CoverageWindows(started.probe!, { readCostNs: 1e6, overhead: 0.1 });
    drive(windows, Array.from({ length: 50 }, (_, i) => bytes(`plain${i}`)));
    windows.flush();
    windows.pause();
    const readsBefore = windows.stats.reads;
    drive(windows, [bytes('deep!'), ...Array.from({ length: 200 }, (_, i) => bytes(`plain${i}`))]);
    expect(windows.stats.reads).toBe(readsBefore);
    windows.resume();
    expect(windows.stats.reads).toBe(readsBefore + 1);
    // 'deep!' reached new blocks while paused: they are now known, so it is not kept later.
    const { events } = drive(windows, [bytes('deep!'), ...Array.from({ length: 200 }, (_, i) => bytes(`more${i}`))]);
    windows.flush();
    events.push(...drive(windows, []).events);
    expect(events.filter((e) => e.kind === 'new-coverage').map((e) => Buffer.from(e.input).toString('latin1'))).not.toContain('deep!');
  });

  it('reads one input alone for its hit counts', () => {
    const windows = new CoverageWindows(started.probe!, { readCostNs: 1e6, overhead: 0.1 });
    drive(windows, [bytes('abc')]);
    windows.beforeSingle();
    const input = bytes('abcabcabcabc');
    classify('abcabcabcabc');
    windows.afterCall(input, 1_000, true);
    const event = windows.drain().find((e) => e.kind === 'single');
    expect(event?.kind).toBe('single');
    expect(event?.input).toBe(input);
    expect(Math.max(...(event?.sample?.counts ?? []))).toBe(12);
    expect(event?.update?.newMaxima).toBeGreaterThan(0);
  });
});

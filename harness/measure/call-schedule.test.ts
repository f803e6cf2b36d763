import { describe, expect, it } from 'vitest';
import { CallSchedule, correctedLatencyMs, harnessDelayMs, intendedStartMs, MAX_CALL_RATE, sleepPortionMs } from './call-schedule.ts';

describe('paced call schedule (slo.rate)', () => {
  it('schedules call i at start + i/rate', () => {
    expect(intendedStartMs(100, 0, 2000)).toBe(100);
    expect(intendedStartMs(100, 1, 2000)).toBeCloseTo(100.5, 12);
    expect(intendedStartMs(0, 4000, 2000)).toBe(2000);
  });

  it('counts latency from the intended start when the call started late', () => {
    // Due at 10, started at 13 (the loop was behind), ended at 14: the caller waited 4 ms.
    expect(correctedLatencyMs(10, 13, 14)).toBe(4);
  });

  it('never credits a call for starting early', () => {
    expect(correctedLatencyMs(10, 9, 11)).toBe(2);
  });

  it('a target slower than the interval makes lag grow with every call', () => {
    // rate 1000/s (1 ms apart), every call takes 2 ms, back to back once behind.
    const s = new CallSchedule(0, 1000);
    let now = 0;
    const corrected: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = now + s.waitMs(i, now);
      const ended = started + 2;
      corrected.push(correctedLatencyMs(s.intendedMs(i), started, ended));
      now = ended;
    }
    // Call i starts at 2i, was due at i: latency i + 2.
    expect(corrected).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('a target faster than the interval waits and is charged only its own time', () => {
    const s = new CallSchedule(0, 1000);
    let now = 0;
    for (let i = 0; i < 5; i++) {
      const wait = s.waitMs(i, now);
      expect(wait).toBeCloseTo(i === 0 ? 0 : 0.75, 12);
      const started = now + wait;
      expect(correctedLatencyMs(s.intendedMs(i), started, started + 0.25)).toBeCloseTo(0.25, 12);
      now = started + 0.25;
    }
  });

  it('a harness pause shifts every later call instead of counting as lag', () => {
    const s = new CallSchedule(0, 1000);
    s.pause(50);
    expect(s.intendedMs(3)).toBe(53);
    expect(s.waitMs(3, 60)).toBe(0);
    s.pause(-5); // a clock cannot run backwards: ignored
    expect(s.intendedMs(3)).toBe(53);
  });

  it('refuses rates the loop cannot describe', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_CALL_RATE * 2]) {
      expect(() => new CallSchedule(0, bad)).toThrow(/rate must be > 0/);
    }
    expect(() => new CallSchedule(0, MAX_CALL_RATE)).not.toThrow();
  });

  it('sleeps all but a spun tail, never longer than the stop-check interval', () => {
    expect(sleepPortionMs(0.1)).toBe(0);
    expect(sleepPortionMs(1)).toBeCloseTo(0.8, 12);
    expect(sleepPortionMs(500)).toBe(50);
    expect(sleepPortionMs(Number.NaN)).toBe(0);
  });

  it('charges a harness pause only for the part after the call was due', () => {
    // Ahead of schedule: the pause ends before the call is due, nothing is late.
    expect(harnessDelayMs(10, 2, 8)).toBe(0);
    // The call fell due during the pause: only the 3 ms after it count.
    expect(harnessDelayMs(10, 5, 13)).toBe(3);
    // Already behind when the pause began: all of it delayed the call.
    expect(harnessDelayMs(10, 20, 24)).toBe(4);
  });
});

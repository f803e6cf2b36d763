import { describe, expect, it } from 'vitest';
import { createJazzerAvailability, fitToBudget, planFuzzPhases, resolveEngine, selectEngine } from './select.ts';

const loads = { loadable: true, reason: 'addon loads' };
const broken = { loadable: false, reason: "version `GLIBC_2.38' not found" };

describe('resolveEngine', () => {
  it('builtin is always builtin, without a note', () => {
    expect(resolveEngine('builtin', null)).toEqual({ requested: 'builtin', used: 'builtin', note: null, fallback: null });
    expect(resolveEngine('builtin', broken).used).toBe('builtin');
  });

  it('auto uses Jazzer.js where it loads, else builtin with the reason and no fallback entry', () => {
    expect(resolveEngine('auto', loads)).toMatchObject({ used: 'jazzer', note: null });
    const fallback = resolveEngine('auto', broken);
    expect(fallback.used).toBe('builtin');
    expect(fallback.note).toContain('GLIBC_2.38');
    expect(fallback.fallback).toBeNull();
  });

  it('jazzer that cannot load falls back to builtin and records the fallback', () => {
    expect(resolveEngine('jazzer', loads)).toMatchObject({ used: 'jazzer', note: null, fallback: null });
    const fallback = resolveEngine('jazzer', broken);
    expect(fallback).toMatchObject({ requested: 'jazzer', used: 'builtin' });
    expect(fallback.note).toContain('builtin engine ran instead');
    expect(fallback.fallback).toEqual({ component: 'engine', wanted: 'jazzer', used: 'builtin', reason: broken.reason });
  });
});

describe('selectEngine / createJazzerAvailability', () => {
  it('checks loadability once per run and never for builtin', async () => {
    let checks = 0;
    const check = createJazzerAvailability(async () => {
      checks++;
      return loads;
    });
    expect((await selectEngine('builtin', check)).used).toBe('builtin');
    expect(checks).toBe(0);
    expect((await selectEngine('auto', check)).used).toBe('jazzer');
    expect((await selectEngine('jazzer', check)).used).toBe('jazzer');
    expect(checks).toBe(1);
  });

  it('a check that throws means "not loadable", with its message', async () => {
    const check = createJazzerAvailability(() => Promise.reject(new Error('probe exploded')));
    const selection = await selectEngine('jazzer', check);
    expect(selection.used).toBe('builtin');
    expect(selection.fallback?.reason).toBe('probe exploded');
  });
});

describe('fitToBudget / planFuzzPhases', () => {
  const jazzer = resolveEngine('jazzer', loads);

  it('keeps Jazzer.js when its exploration outlasts its start-up', () => {
    expect(fitToBudget(jazzer, 7000, 3000)).toBe(jazzer);
  });

  it('explores with builtin when the budget cannot cover Jazzer.js start-up', () => {
    const fitted = fitToBudget(jazzer, 3500, 3000);
    expect(fitted.used).toBe('builtin');
    expect(fitted.note).toContain('too short for Jazzer.js');
    expect(fitted.fallback?.wanted).toBe('jazzer');
    expect(fitToBudget(resolveEngine('auto', loads), 3500, 3000).fallback).toBeNull();
  });

  it('adds Jazzer.js start-up to its exploration share, measured phase keeps at least half', async () => {
    const check = async () => loads;
    const j = await planFuzzPhases('jazzer', { durationMs: 60_000, calls: null }, check);
    expect(j.selection.used).toBe('jazzer');
    expect(j.plan.explore?.durationMs).toBe(24_000 + 3000);
    const b = await planFuzzPhases('builtin', { durationMs: 60_000, calls: null }, check);
    expect(b.plan.explore?.durationMs).toBe(24_000);
    const short = await planFuzzPhases('jazzer', { durationMs: 5000, calls: null }, check);
    expect(short.selection.used).toBe('builtin');
    expect(short.plan.explore?.durationMs).toBe(2000);
  });
});

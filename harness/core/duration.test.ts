import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationMs, durationMsOr, durationSchema, MAX_DURATION_MS, parseDurationMs, parseMillisecondsSetting } from './duration.ts';

/** The error of a refused value (fails the test when the value is accepted). */
function refusal(value: unknown, field?: string): { error: string; fix?: string } {
  const parsed = parseDurationMs(value, field);
  if (parsed.ok) throw new Error(`${String(value)} was accepted as ${parsed.ms} ms`);
  return parsed;
}

describe('a duration needs a unit', () => {
  it('refuses a bare number, naming the field and both readings', () => {
    expect(refusal(30, 'budget.duration').error).toBe('budget.duration: 30 has no unit: write "30ms" or "30s"');
    expect(refusal(30).error).toBe('30 has no unit: write "30ms" or "30s"');
    expect(refusal(1.5).error).toBe('1.5 has no unit: write "1.5ms" or "1.5s"');
    expect(refusal(0, 'timeout').error).toBe('timeout: 0 has no unit: write "0ms" or "0s"');
    expect(refusal(30).fix).toBe('add the unit you mean: "30ms" for milliseconds, "30s" for seconds (units: ns, us, ms, s, m)');
  });

  it('refuses a numeric string the same way', () => {
    expect(refusal('30', '--budget').error).toBe('--budget: "30" has no unit: write "30ms" or "30s"');
    expect(refusal(' 250 ').error).toBe('" 250 " has no unit: write "250ms" or "250s"');
    expect(refusal('.5').fix).toMatch(/"\.5ms" for milliseconds/);
  });

  it('does not suggest a unit a number in exponent form could not take', () => {
    const { error, fix } = refusal(1e300);
    expect(error).toBe('1e+300 has no unit: write a duration with its unit, such as "500us", "2ms", "1.5s" or "1m"');
    expect(fix).not.toMatch(/1e\+300ms/);
  });

  it('refuses NaN, Infinity and negatives for what they are', () => {
    expect(refusal(NaN).error).toMatch(/^expected a duration between 1us and 1 day .*got NaN$/);
    expect(refusal(Infinity).error).toMatch(/got Infinity$/);
    expect(refusal(-5).error).toMatch(/^a duration cannot be negative.*got -5$/);
    expect(refusal('-5ms').error).toMatch(/^a duration cannot be negative.*got "-5ms"$/);
    expect(refusal(-5).fix).toBeUndefined();
  });

  it('refuses what is not a duration at all', () => {
    expect(refusal('fast').error).toMatch(/^expected a duration like "500us", "2ms", "1.5s" or "1m".*got "fast"$/);
    expect(refusal('2d').error).toMatch(/got "2d"$/);
    expect(refusal(true).error).toMatch(/got boolean$/);
    expect(refusal(null).error).toMatch(/got null$/);
    expect(refusal(undefined).error).toMatch(/got undefined$/);
  });
});

describe('units', () => {
  const cases: Array<[string, number]> = [
    ['1000ns', 0.001],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['2ms', 2],
    ['1.5s', 1500],
    ['.5s', 500],
    ['1m', 60_000],
    [' 3 ms ', 3],
  ];
  it.each(cases)('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toEqual({ ok: true, ms });
  });
});

describe('bounds: 1 us to 1 day', () => {
  it('accepts the ends', () => {
    expect(parseDurationMs('1us')).toEqual({ ok: true, ms: 0.001 });
    expect(parseDurationMs('1440m')).toEqual({ ok: true, ms: MAX_DURATION_MS });
    expect(parseDurationMs('86400s')).toEqual({ ok: true, ms: MAX_DURATION_MS });
  });

  it('refuses what lies outside, naming the field', () => {
    expect(refusal('999ns', 'slo.p99').error).toBe('slo.p99: "999ns" is shorter than 1us: expected a duration between 1us and 1 day (86400000 ms)');
    expect(refusal('0ms').error).toMatch(/^"0ms" is shorter than 1us/);
    expect(refusal('86401s').error).toMatch(/^"86401s" is longer than 1 day/);
    expect(refusal('2000000m').error).toMatch(/^"2000000m" is longer than 1 day/);
  });
});

describe('durationMs and durationMsOr', () => {
  it('durationMs returns the milliseconds or throws the message', () => {
    expect(durationMs('2s')).toBe(2000);
    expect(() => durationMs(30, 'timeout')).toThrow('timeout: 30 has no unit: write "30ms" or "30s"');
  });

  it('durationMsOr falls back when absent or invalid', () => {
    expect(durationMsOr('5ms', 1)).toBe(5);
    expect(durationMsOr(undefined, 7)).toBe(7);
    expect(durationMsOr(5, 7)).toBe(7);
  });
});

describe('durationSchema', () => {
  const schema = z.object({ timeout: durationSchema });

  it('passes a duration with its unit through unchanged', () => {
    expect(schema.parse({ timeout: '2s' })).toEqual({ timeout: '2s' });
  });

  it('reports a bare number at its field with the rule\'s message and its fix', () => {
    const result = schema.safeParse({ timeout: 100 });
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path).toEqual(['timeout']);
    expect(issue?.message).toBe('100 has no unit: write "100ms" or "100s"');
    expect(issue?.code === 'custom' ? issue.params?.['fix'] : undefined).toMatch(/"100ms" for milliseconds/);
  });

  it('reports other refusals without a fix of its own', () => {
    const issue = schema.safeParse({ timeout: 'soon' }).error?.issues[0];
    expect(issue?.message).toMatch(/expected a duration like/);
    expect(issue?.code === 'custom' ? issue.params?.['fix'] : undefined).toBeUndefined();
  });
});

describe('a setting whose name carries the unit (…_MS)', () => {
  it('reads a bare number as milliseconds and a duration by its unit', () => {
    expect(parseMillisecondsSetting('30000')).toEqual({ ok: true, ms: 30_000 });
    expect(parseMillisecondsSetting(' 2000 ')).toEqual({ ok: true, ms: 2000 });
    expect(parseMillisecondsSetting('5s')).toEqual({ ok: true, ms: 5000 });
  });

  it('keeps the bounds', () => {
    expect(parseMillisecondsSetting('0')).toMatchObject({ ok: false, error: '0 is shorter than 1us: expected a duration between 1us and 1 day (86400000 ms)' });
    expect(parseMillisecondsSetting('-1')).toMatchObject({ ok: false, error: expect.stringMatching(/cannot be negative/) });
    expect(parseMillisecondsSetting('soon')).toMatchObject({ ok: false, error: expect.stringMatching(/expected a duration like/) });
  });
});

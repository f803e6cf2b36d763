/**
 * Parsing of human durations ('500us', '2ms', '1.5s', '1m'); plain numbers are milliseconds.
 * Every duration a user gives (timeouts, budgets, SLO thresholds, chaos delays) must lie
 * between 1 us and 1 day: 0 would make a timeout fire at once or a budget measure nothing,
 * and 1e300 ms overflows every timer and deadline computed from it.
 */
import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m)\s*$/;

/** The smallest duration accepted anywhere: 1 us. */
export const MIN_DURATION_MS = 0.001;
/** The largest duration accepted anywhere: 1 day. */
export const MAX_DURATION_MS = 86_400_000;

const RANGE = 'between 1us and 1 day (86400000 ms)';
const EXAMPLES = '"500us", "2ms", "1.5s" or "1m"';

export type ParsedDuration = { ok: true; ms: number } | { ok: false; error: string };

function inRange(ms: number, shown: string): ParsedDuration {
  if (!Number.isFinite(ms)) return { ok: false, error: `expected a duration ${RANGE}, got ${shown}` };
  if (ms < 0) return { ok: false, error: `a duration cannot be negative: expected one ${RANGE}, got ${shown}` };
  if (ms < MIN_DURATION_MS) return { ok: false, error: `${shown} is shorter than 1us: expected a duration ${RANGE}` };
  if (ms > MAX_DURATION_MS) return { ok: false, error: `${shown} is longer than 1 day: expected a duration ${RANGE}` };
  return { ok: true, ms };
}

function parseDurationString(value: string): ParsedDuration {
  const shown = JSON.stringify(value);
  const m = DURATION_RE.exec(value);
  if (m) return inRange(Number(m[1]) * (UNIT_MS[m[2] as string] as number), shown);
  if (/^\s*-/.test(value)) return { ok: false, error: `a duration cannot be negative: expected one ${RANGE}, such as ${EXAMPLES}, got ${shown}` };
  return { ok: false, error: `expected a duration like ${EXAMPLES} (units ns, us, ms, s, m; ${RANGE}), got ${shown}` };
}

/** Milliseconds for a duration, or an error message saying what is accepted. */
export function parseDurationMs(value: unknown): ParsedDuration {
  if (typeof value === 'number') return inRange(value, String(value));
  if (typeof value === 'string') return parseDurationString(value);
  return { ok: false, error: `expected a duration (a number of ms or a string such as "2ms"), got ${value === null ? 'null' : typeof value}` };
}

/**
 * The zod field of a duration. Any value reaches parseDurationMs, so NaN, Infinity, a
 * negative or a boolean get its precise message rather than zod's bare "Invalid input".
 */
export const durationSchema = z.custom<number | string>().superRefine((value, ctx) => {
  const parsed = parseDurationMs(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

/** Like parseDurationMs but throws; for CLI flags and trusted values. */
export function durationMs(value: unknown): number {
  const parsed = parseDurationMs(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ms;
}

/** Short human form: 850us, 12.3ms, 4.2s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 0)}us`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/**
 * Parsing of human durations ('500us', '2ms', '1.5s', '1m'). One rule for scenario files and
 * the command line alike: a duration needs its unit. A bare number (30, or the string "30")
 * is refused, because it read as milliseconds in a scenario file and as seconds on the
 * command line, and nobody can tell which one the writer meant. A setting whose name carries
 * the unit (SLO_HARNESS_LOAD_TIMEOUT_MS) takes a number: see parseMillisecondsSetting.
 *
 * Every duration must lie between 1 us and 1 day: 0 would make a timeout fire at once or a
 * budget measure nothing, and 1e300 ms overflows every timer and deadline computed from it.
 */
import { z } from 'zod';

/** The units a duration may carry (`us` and `µs` are the same). */
export type DurationUnit = 'ns' | 'us' | 'µs' | 'ms' | 's' | 'm';
/** A duration as written: a number with its unit, e.g. `'500us'`, `'2ms'`, `'1.5s'`, `'1m'`. */
export type DurationString = `${number}${DurationUnit}`;

const UNIT_MS: Record<DurationUnit, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000 };
/** A non-negative decimal as a duration may start with: `2`, `1.5`, `.5`. */
const DECIMAL = String.raw`\d+(?:\.\d+)?|\.\d+`;
const DURATION_RE = new RegExp(String.raw`^\s*(${DECIMAL})\s*(ns|us|µs|ms|s|m)\s*$`);
/** A number with no unit: what the rule refuses with its own message. */
const BARE_NUMBER_RE = new RegExp(String.raw`^\s*(${DECIMAL})\s*$`);
/** Digits a unit can simply be appended to (not `1e+300`). */
const PLAIN_DECIMAL_RE = new RegExp(`^(${DECIMAL})$`);

/** The smallest duration accepted anywhere: 1 us. */
export const MIN_DURATION_MS = 0.001;
/** The largest duration accepted anywhere: 1 day. */
export const MAX_DURATION_MS = 86_400_000;

const RANGE = 'between 1us and 1 day (86400000 ms)';
const EXAMPLES = '"500us", "2ms", "1.5s" or "1m"';

/** A parsed duration, or what is wrong with it; `fix` says how to write a bare number with its unit. */
export type ParsedDuration = { ok: true; ms: number } | { ok: false; error: string; fix?: string };

function inRange(ms: number, shown: string): ParsedDuration {
  if (!Number.isFinite(ms)) return { ok: false, error: `expected a duration ${RANGE}, got ${shown}` };
  if (ms < 0) return { ok: false, error: `a duration cannot be negative: expected one ${RANGE}, got ${shown}` };
  if (ms < MIN_DURATION_MS) return { ok: false, error: `${shown} is shorter than 1us: expected a duration ${RANGE}` };
  if (ms > MAX_DURATION_MS) return { ok: false, error: `${shown} is longer than 1 day: expected a duration ${RANGE}` };
  return { ok: true, ms };
}

/** The refusal of a number written without a unit, with how to write it (both readings when it is plain digits). */
function noUnit(shown: string, digits: string): ParsedDuration {
  if (!PLAIN_DECIMAL_RE.test(digits)) {
    const hint = `write a duration with its unit, such as ${EXAMPLES}`;
    return { ok: false, error: `${shown} has no unit: ${hint}`, fix: hint };
  }
  return {
    ok: false,
    error: `${shown} has no unit: write "${digits}ms" or "${digits}s"`,
    fix: `add the unit you mean: "${digits}ms" for milliseconds, "${digits}s" for seconds (units: ns, us, ms, s, m)`,
  };
}

function parseDurationString(value: string): ParsedDuration {
  const shown = JSON.stringify(value);
  const m = DURATION_RE.exec(value);
  if (m) return inRange(Number(m[1]) * UNIT_MS[m[2] as DurationUnit], shown);
  const bare = BARE_NUMBER_RE.exec(value);
  if (bare) return noUnit(shown, bare[1] as string);
  if (/^\s*-/.test(value)) return { ok: false, error: `a duration cannot be negative: expected one ${RANGE}, such as ${EXAMPLES}, got ${shown}` };
  return { ok: false, error: `expected a duration like ${EXAMPLES} (units ns, us, ms, s, m; ${RANGE}), got ${shown}` };
}

function parseDurationNumber(value: number): ParsedDuration {
  // NaN, Infinity and negatives are refused for what they are, whatever their unit.
  if (!Number.isFinite(value) || value < 0) return inRange(value, String(value));
  return noUnit(String(value), String(value));
}

/**
 * Milliseconds for a duration with its unit, or an error message saying what is accepted.
 * A bare number (30 or "30") is an error naming the fix (`30 has no unit: write "30ms" or
 * "30s"`); with `field`, the message starts with it (`budget.duration: 30 has no unit...`).
 */
export function parseDurationMs(value: unknown, field?: string): ParsedDuration {
  const parsed =
    typeof value === 'number' ? parseDurationNumber(value)
    : typeof value === 'string' ? parseDurationString(value)
    : { ok: false as const, error: `expected a duration with a unit, such as ${EXAMPLES}, got ${value === null ? 'null' : typeof value}` };
  return parsed.ok || field === undefined ? parsed : { ...parsed, error: `${field}: ${parsed.error}` };
}

/**
 * A setting whose name carries the unit (SLO_HARNESS_LOAD_TIMEOUT_MS=30000): a bare number is
 * milliseconds there, and a duration with its unit ("30s") is read as one. Same bounds.
 */
export function parseMillisecondsSetting(raw: string): ParsedDuration {
  const bare = /^\s*-?\d+(\.\d+)?\s*$/.test(raw);
  return bare ? inRange(Number(raw), String(Number(raw))) : parseDurationMs(raw);
}

/**
 * The zod field of a duration. Any value reaches parseDurationMs, so NaN, Infinity, a
 * negative, a boolean or a bare number get its precise message rather than zod's bare
 * "Invalid input"; a bare number's issue carries its fix in `params.fix`.
 */
export const durationSchema = z.custom<DurationString>().superRefine((value, ctx) => {
  const parsed = parseDurationMs(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error, ...(parsed.fix === undefined ? {} : { params: { fix: parsed.fix } }) });
});

/** Like parseDurationMs but throws; for CLI flags and trusted values. */
export function durationMs(value: unknown, field?: string): number {
  const parsed = parseDurationMs(value, field);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ms;
}

/** Milliseconds of a duration, or `fallback` when it is absent or invalid (for values a schema has already checked). */
export function durationMsOr(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parseDurationMs(value);
  return parsed.ok ? parsed.ms : fallback;
}

/** Short human form: 850us, 12.3ms, 4.2s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 0)}us`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/** Parsing of human durations ('500us', '2ms', '1.5s', '1m'); plain numbers are milliseconds. */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m)\s*$/;

/** Milliseconds for a duration, or an error message saying what is accepted. */
export function parseDurationMs(value: unknown): { ok: true; ms: number } | { ok: false; error: string } {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0
      ? { ok: true, ms: value }
      : { ok: false, error: `expected a non-negative number of milliseconds, got ${value}` };
  }
  if (typeof value === 'string') {
    const m = DURATION_RE.exec(value);
    if (m) return { ok: true, ms: Number(m[1]) * (UNIT_MS[m[2] as string] as number) };
    return { ok: false, error: `expected a duration like "500us", "2ms", "1.5s" or "1m", got ${JSON.stringify(value)}` };
  }
  return { ok: false, error: `expected a duration (number of ms or a string like "2ms"), got ${typeof value}` };
}

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

/**
 * Whether an input engine can run on this machine. Engines with a native part (Jazzer.js's
 * addon) are probed once per run; the probe never throws: a failure is "not loadable"
 * with its reason, which the run records as a fallback.
 */
import type { JazzerLoadability } from '../native/ensure-loadable.ts';

/** The answer of a probe (same shape for every engine). */
export type EngineLoadability = JazzerLoadability;

/** A probe of one engine's loadability. */
export type AvailabilityCheck = () => Promise<EngineLoadability>;

/**
 * A once-per-run, cached check. An unexpected rejection is turned into "not loadable"
 * with its message.
 */
export function cachedAvailability(check: AvailabilityCheck): AvailabilityCheck {
  let cached: Promise<EngineLoadability> | null = null;
  return () => {
    cached ??= check().catch((error: unknown) => ({ loadable: false, reason: error instanceof Error ? error.message : String(error) }));
    return cached;
  };
}

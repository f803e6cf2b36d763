/**
 * The Jazzer.js input engine: libFuzzer (through Jazzer.js's native addon) explores in a
 * child process (drivers/isolate/jazzer/run-jazzer.ts). It needs its addon to load here
 * and ~3 s to start, so selection checks both (engine/select.ts).
 */
import { isJazzerLoadable } from '../../native/ensure-loadable.ts';
import { cachedAvailability, type AvailabilityCheck } from '../availability.ts';
import type { InputEngine } from '../input-engine.ts';
import { JAZZER_STARTUP_MS } from './report.ts';

/** A probe of Jazzer.js's loadability. */
export type JazzerCheck = AvailabilityCheck;

/** A once-per-run, cached Jazzer.js loadability check (tests pass their own probe). */
export function createJazzerAvailability(check: AvailabilityCheck = () => isJazzerLoadable()): AvailabilityCheck {
  return cachedAvailability(check);
}

/**
 * The process-wide check used by the runner (one probe per CLI run). SLO_HARNESS_JAZZER_ADDON
 * points it at another addon file (tests use a missing one to exercise the fallback).
 */
export const jazzerAvailability: AvailabilityCheck = createJazzerAvailability(() => {
  const addonPath = process.env['SLO_HARNESS_JAZZER_ADDON'];
  return isJazzerLoadable(addonPath ? { addonPath } : {});
});

export const JAZZER_ENGINE: InputEngine<'jazzer'> = {
  name: 'jazzer',
  label: 'Jazzer.js',
  description: 'Jazzer.js (libFuzzer) explores with its edge counters, in a child process',
  startupMs: JAZZER_STARTUP_MS,
  availability: jazzerAvailability,
};

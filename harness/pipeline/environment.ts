/** What machine and versions produced a run: printed in reports so figures can be compared. */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { EnvironmentInfo } from '../core/results-schema.ts';
import { engineFallbacks } from '../engine/select.ts';

function harnessVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `fallbacks` adds to those recorded during the run (engine selection records its own:
 * engine/select.ts), so every capability that fell back is listed once.
 */
export function describeEnvironment(fallbacks: EnvironmentInfo['fallbacks'] = []): EnvironmentInfo {
  const cpus = os.cpus();
  return {
    harnessVersion: harnessVersion(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    hostname: os.hostname(),
    fallbacks: [...engineFallbacks(), ...fallbacks],
  };
}

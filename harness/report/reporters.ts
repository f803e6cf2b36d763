/**
 * The reporters `slo-harness` knows, and the selection `--reporter` makes from them.
 * Adding a reporter: its file in reporters/, and one line in REPORTERS below.
 */
import { UsageError } from '../scenario/load.ts';
import type { Reporter } from './reporter.ts';
import { consoleReporter } from './reporters/console.ts';
import { htmlReporter } from './reporters/html.ts';
import { jsonReporter } from './reporters/json.ts';
import { junitReporter } from './reporters/junit.ts';

/**
 * Every reporter, in the order a set runs them; the terminal lists the files in this order
 * too (report, results, junit), whatever order the names were given in.
 */
export const REPORTERS: readonly Reporter[] = [
  consoleReporter,
  htmlReporter,
  jsonReporter,
  junitReporter,
];

/** The names `--reporter` accepts. */
export const REPORTER_NAMES: readonly string[] = REPORTERS.map((r) => r.name);

function knownList(): string {
  return `known reporters: ${REPORTER_NAMES.join(', ')}`;
}

/**
 * The reporters named (`--reporter console,json`), in registry order and each once; null
 * is the default set, all of them. An unknown name, or an empty list, is a usage error
 * (exit 2) that lists the known names.
 */
export function resolveReporters(names: readonly string[] | null): Reporter[] {
  if (names === null) return [...REPORTERS];
  const unknown = names.filter((n) => !REPORTER_NAMES.includes(n));
  if (unknown.length > 0) {
    const quoted = unknown.map((n) => JSON.stringify(n)).join(', ');
    throw new UsageError(`unknown reporter${unknown.length > 1 ? 's' : ''} ${quoted}; ${knownList()}`);
  }
  if (names.length === 0) throw new UsageError(`no reporter named; ${knownList()}`);
  return REPORTERS.filter((r) => names.includes(r.name));
}

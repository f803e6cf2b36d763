/**
 * Which code is "the target" for coverage and literal mining. A scenario usually wraps a
 * third-party package (a parser, a policy evaluator) that lives in node_modules, which the
 * coverage probe skips by default. The packages a scenario file imports by bare name are
 * the target's code; the harness's own helpers (fast-check, slo-harness) are not.
 * A scenario can name the packages itself with `input.coverageInclude`.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ScriptFilter } from './coverage/features.ts';
import { isTargetScript } from './coverage/v8-block-coverage.ts';

/** Imported only to build inputs or to reach the harness: never the code under test. */
const NOT_TARGETS = new Set(['slo-harness', 'fast-check', 'vitest', 'tsx']);
const MAX_SOURCE_BYTES = 1 << 20;

/** Bare package names a module's source imports (static imports, re-exports, require, dynamic import). */
export function importedPackages(source: string): string[] {
  const names = new Set<string>();
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(specifier)) {
    const spec = match[1] as string;
    if (spec.startsWith('.') || spec.startsWith('/') || spec.includes(':')) continue;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
    if (!NOT_TARGETS.has(name) && !name.startsWith('@types/')) names.add(name);
  }
  return [...names].sort();
}

/** Coverage filter: the scenario's own files plus the named packages inside node_modules. */
export function coverageFilterFor(packages: readonly string[]): ScriptFilter {
  const marks = packages.map((p) => `/node_modules/${p}/`);
  return (url) => isTargetScript(url) || (url.startsWith('file:') && marks.some((m) => url.includes(m)));
}

/** Source texts to mine literals from: the scenario file and each package's entry file. */
export function targetSources(scenarioFile: string, packages: readonly string[]): string[] {
  const sources: string[] = [];
  const read = (file: string): void => {
    try {
      if (statSync(file).size <= MAX_SOURCE_BYTES) sources.push(readFileSync(file, 'utf8'));
    } catch {
      // unreadable: nothing to mine
    }
  };
  read(scenarioFile);
  const require = createRequire(scenarioFile);
  for (const name of packages) {
    try {
      read(require.resolve(name));
    } catch {
      // ESM-only or not resolvable from here: coverage still sees it, literals do not
    }
  }
  return sources;
}

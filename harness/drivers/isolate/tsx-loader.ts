/**
 * The tsx loader as a file URL, for `--import` in the child processes the isolate driver
 * starts (isolate host, probe host, Jazzer.js), so they load TypeScript wherever the harness
 * is run from. import.meta.resolve is missing under some module runners (vitest): fall back
 * to resolving the package folder and its "." export (dist/loader.mjs).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function tsxLoader(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx');
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(path.join(path.dirname(pkg), 'dist/loader.mjs')).href;
}

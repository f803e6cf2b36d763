/**
 * `npm run bench [-- name...]`: runs the project's benchmarks one after another and
 * prints their tables. Speed goals live here, not in tests. Names: see BENCHES.
 */
import { existsSync } from 'node:fs';

const BENCHES: Record<string, string> = {
  overhead: './harness-overhead.ts',
  intervals: './interval-coverage.ts',
  pareto: './pareto.ts',
  proxy: './proxy-overhead.ts',
  load: './load.ts',
  trace: './trace.ts',
  report: './report.ts',
  engines: './engines.ts',
  breaking: './breaking-point.ts',
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
let failed = 0;
for (const name of names) {
  const file = BENCHES[name];
  if (!file) {
    console.error(`unknown bench ${JSON.stringify(name)}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  const url = new URL(file, import.meta.url);
  if (!existsSync(url)) continue;
  console.log(`\n=== ${name} (${file}) ===`);
  try {
    const mod = (await import(url.href)) as { main?: () => unknown };
    await mod.main?.();
  } catch (error) {
    failed++;
    console.error(`bench ${name} failed: ${(error as Error).stack ?? String(error)}`);
  }
}
if (failed > 0) process.exitCode = 1;

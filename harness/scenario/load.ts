/**
 * Finding and loading scenario files. Files are TypeScript or JavaScript modules whose
 * default export is a scenario (or an array of them); `.ts` loads without a build step
 * because the CLI runs under tsx. Folders are searched for `*.scenario.{ts,mts,js,mjs}`.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveScenarios, ScenarioError } from './schema.ts';
import type { ResolvedScenario } from './types.ts';

const SCENARIO_FILE_RE = /\.scenario\.(ts|mts|js|mjs)$/;

/** A problem with what the user typed (missing path...): the CLI exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (SCENARIO_FILE_RE.test(entry.name)) out.push(full);
  }
  return out;
}

/** Expands files and folders into scenario files, in a stable order. */
export async function expandScenarioPaths(paths: string[], cwd = process.cwd()): Promise<string[]> {
  if (paths.length === 0) throw new UsageError('no scenario files or folders given (try: slo-harness run scenarios/)');
  const files: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let info;
    try {
      info = await stat(abs);
    } catch {
      throw new UsageError(`${p}: no such file or folder`);
    }
    if (info.isDirectory()) {
      const found = await walk(abs);
      if (found.length === 0) throw new UsageError(`${p}: no *.scenario.ts files in this folder`);
      files.push(...found);
    } else files.push(abs);
  }
  return [...new Set(files)];
}

export async function loadScenarioFile(file: string, projectRoot?: string): Promise<ResolvedScenario[]> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const err = error as Error;
    throw new ScenarioError(file, [
      { field: '(file)', problem: `cannot load the file: ${err.message.split('\n')[0]}`, fix: 'fix the syntax or import error above; the file must be importable with `node --import tsx`' },
    ]);
  }
  return resolveScenarios(mod.default, { file, ...(projectRoot ? { projectRoot } : {}) });
}

/** Loads every scenario from the given paths; throws on the first invalid file. */
export async function loadScenarios(paths: string[], cwd = process.cwd()): Promise<ResolvedScenario[]> {
  const files = await expandScenarioPaths(paths, cwd);
  const all: ResolvedScenario[] = [];
  for (const file of files) all.push(...(await loadScenarioFile(file)));
  const seen = new Map<string, string>();
  for (const s of all) {
    const other = seen.get(s.name);
    if (other) {
      throw new ScenarioError(s.file, [{ field: 'name', problem: `scenario name ${JSON.stringify(s.name)} is also used in ${other}`, fix: 'scenario names must be unique: they name corpus folders' }]);
    }
    seen.set(s.name, s.file);
  }
  return all;
}

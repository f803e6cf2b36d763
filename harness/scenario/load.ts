/**
 * Finding and loading scenario files. Files are TypeScript or JavaScript modules whose
 * default export is a scenario (or an array of them); `.ts` loads without a build step
 * because the CLI runs under tsx. Folders are searched for `*.scenario.{ts,mts,js,mjs}`.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMs, parseMillisecondsSetting } from '../core/duration.ts';
import { HarnessError } from '../core/errors.ts';
import { describeImportFailure, type ImportFailure } from './load-error.ts';
import { ImportPrecheck, isUnsettledAwait, type PrecheckOutcome } from './load-precheck.ts';
import { resolveScenarios, ScenarioError, type ScenarioIssue } from './schema.ts';
import type { ResolvedScenario } from './types.ts';

const SCENARIO_FILE_RE = /\.scenario\.(ts|mts|js|mjs)$/;

/** A problem with what the user typed (missing path...): the CLI exits with code 2. */
export class UsageError extends HarnessError {}

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

/** The deadline for importing one scenario file, unless `--load-timeout` or the environment says otherwise. */
export const DEFAULT_LOAD_TIMEOUT_MS = 30_000;
/** Environment variable with the load deadline in milliseconds (`--load-timeout` wins over it). */
export const LOAD_TIMEOUT_ENV = 'SLO_HARNESS_LOAD_TIMEOUT_MS';

export interface LoadOptions {
  /** Deadline for importing each file (ms); null or absent: SLO_HARNESS_LOAD_TIMEOUT_MS, else 30 s. */
  loadTimeoutMs?: number | null | undefined;
}

/** The load deadline: the flag's, else the environment's (validated like any duration), else 30 s. */
export function loadTimeoutMs(flagMs: number | null | undefined, env: NodeJS.ProcessEnv = process.env): number {
  if (flagMs !== null && flagMs !== undefined) return flagMs;
  const raw = env[LOAD_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOAD_TIMEOUT_MS;
  const parsed = parseMillisecondsSetting(raw);
  if (parsed.ok) return parsed.ms;
  throw new UsageError(`${LOAD_TIMEOUT_ENV}=${raw}: ${parsed.error}\n  fix: give milliseconds, e.g. ${LOAD_TIMEOUT_ENV}=30000, or unset it (default 30 s)`);
}

const RAISE_DEADLINE = `raise the deadline with --load-timeout 60s (or ${LOAD_TIMEOUT_ENV}=60000) if the import is only slow`;

/** The file never finished importing: in the pre-check worker or (`where`) on the main thread. */
function hangIssue(timeoutMs: number, where: 'worker' | 'main'): ScenarioIssue {
  const thread = where === 'worker' ? 'in a worker thread, where the harness also runs targets' : 'on the main thread, after it imported in a worker';
  return {
    field: '(module top level)',
    problem: `the file was still importing after ${formatMs(timeoutMs)} (${thread}): a top-level infinite loop, a never-settling top-level await, or slow set-up`,
    fix: `remove the top-level loop or await (do set-up work inside the target or lazily on its first call), or ${RAISE_DEADLINE}`,
  };
}

function exitIssue(code: number): ScenarioIssue {
  if (isUnsettledAwait(code)) {
    return {
      field: '(module top level)',
      problem: 'the file never finished importing: a top-level await waits on a promise that never settles',
      fix: 'await only promises that settle (or remove the top-level await); do set-up work inside the target',
    };
  }
  return {
    field: '(module top level)',
    problem: `importing the file ended its thread (exit code ${code}): the module calls process.exit() at its top level`,
    fix: 'remove the process.exit() call from the top level of the module',
  };
}

function asFailure(error: unknown): ImportFailure {
  const err = (error ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  return { name: String(err.name ?? 'Error'), message: String(err.message ?? error), stack: typeof err.stack === 'string' ? err.stack : undefined };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' || typeof value === 'bigint' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}

const DEFAULT_EXPORT_FIX = 'export a scenario made with defineScenario(...): export default defineScenario({ name, target, input, slo }) (or an array of them)';

/** A default export that is not a scenario (or a non-empty array of them) at all; schema.ts checks the fields. */
function checkDefaultExportShape(file: string, exported: unknown): void {
  if (exported === undefined) return; // schema.ts says "the file has no default export"
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(exported)) {
    if (exported.length === 0) {
      throw new ScenarioError(file, [{ field: 'default export', problem: `the default export of ${file} is an empty array`, fix: DEFAULT_EXPORT_FIX }]);
    }
    const issues = exported.flatMap((entry, i) =>
      isObject(entry) ? [] : [{ field: `[${i}]`, problem: `element ${i} of the default export of ${file} is ${describeValue(entry)}, not a scenario`, fix: DEFAULT_EXPORT_FIX }],
    );
    if (issues.length > 0) throw new ScenarioError(file, issues);
    return;
  }
  if (!isObject(exported)) {
    throw new ScenarioError(file, [{ field: 'default export', problem: `the default export of ${file} is ${describeValue(exported)}`, fix: DEFAULT_EXPORT_FIX }]);
  }
}

/** The pre-check's verdict on a file that did not finish importing (or killed its worker). */
async function precheckError(file: string, outcome: Exclude<PrecheckOutcome, { kind: 'imported' | 'failed' }>): Promise<ScenarioError> {
  if (outcome.kind === 'timeout') return new ScenarioError(file, [hangIssue(outcome.timeoutMs, 'worker')]);
  if (outcome.kind === 'exited') return new ScenarioError(file, [exitIssue(outcome.code)]);
  const issue = await describeImportFailure(file, outcome.failure);
  return new ScenarioError(file, [{ ...issue, problem: `${issue.problem} (thrown while the module was being imported, outside its top level)` }]);
}

/**
 * Imports file `index` on the main thread once the pre-check saw its import finish (or throw:
 * the main thread's own error is the one reported), under the worker's watch.
 */
async function importChecked(file: string, index: number, precheck: ImportPrecheck, timeoutMs: number, projectRoot?: string): Promise<ResolvedScenario[]> {
  const outcome = await precheck.outcome(index);
  if (outcome.kind !== 'imported' && outcome.kind !== 'failed') throw await precheckError(file, outcome);
  const standDown = precheck.watchMainImport(`slo-harness: ${new ScenarioError(file, [hangIssue(timeoutMs, 'main')]).message}\n`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new ScenarioError(file, [await describeImportFailure(file, asFailure(error))]);
  } finally {
    standDown();
  }
  checkDefaultExportShape(file, mod.default);
  return resolveScenarios(mod.default, { file, ...(projectRoot ? { projectRoot } : {}) });
}

export async function loadScenarioFile(file: string, projectRoot?: string, options: LoadOptions = {}): Promise<ResolvedScenario[]> {
  const timeoutMs = loadTimeoutMs(options.loadTimeoutMs);
  const precheck = new ImportPrecheck([file], timeoutMs);
  try {
    return await importChecked(file, 0, precheck, timeoutMs, projectRoot);
  } finally {
    await precheck.close();
  }
}

/**
 * Loads every scenario from the given paths; throws on the first invalid file. Loading only
 * imports and validates: checks of the environment a run needs (an external Toxiproxy,
 * chaos/toxiproxy/external.ts) are the caller's, before anything runs.
 */
export async function loadScenarios(paths: string[], cwd = process.cwd(), options: LoadOptions = {}): Promise<ResolvedScenario[]> {
  const files = await expandScenarioPaths(paths, cwd);
  const timeoutMs = loadTimeoutMs(options.loadTimeoutMs);
  const all: ResolvedScenario[] = [];
  // The worker checks file k + 1 while the main thread imports file k.
  const precheck = new ImportPrecheck(files, timeoutMs);
  try {
    for (const [index, file] of files.entries()) all.push(...(await importChecked(file, index, precheck, timeoutMs)));
  } finally {
    await precheck.close();
  }
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

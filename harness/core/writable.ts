/**
 * Pre-flight checks before a run starts: the report folder and every corpus folder the run
 * will save into must take a file. A read-only or full disk then fails in a second with
 * the folder and the fix, instead of after an hour of fuzzing with the results lost.
 * Write permission bits are not enough (root ignores them, a read-only mount does not):
 * each folder gets a real probe file, written, flushed and removed.
 */
import { randomBytes } from 'node:crypto';
import { rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder, WriteError, writeTempFile } from './atomic-file.ts';
import { HarnessError } from './errors.ts';

/** A folder the run needs to write into cannot take a file (exit 2, before the run). */
export class NotWritableError extends HarnessError {
  constructor(
    readonly folder: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Writes and removes a probe file in `dir`; throws the WriteError of the probe. */
async function probe(dir: string): Promise<void> {
  const file = path.join(dir, `.slo-harness-probe-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeTempFile(file, 'slo-harness write probe\n');
  } catch (error) {
    throw new WriteError(file, error);
  } finally {
    await rm(file, { force: true }).catch(() => undefined);
  }
}

async function isFolder(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Probes `dir`, creating it (and its missing parents) for the probe. With `keep` false the
 * folders created only for the probe are removed again, so checking leaves no trace.
 */
async function probeFolder(dir: string, keep: boolean): Promise<void> {
  let created: string | undefined;
  try {
    created = await makeFolder(dir);
  } catch (error) {
    throw new WriteError(dir, error);
  }
  try {
    await probe(dir);
  } finally {
    if (!keep && created !== undefined) await removeCreated(dir, created);
  }
}

/** Removes the empty folders from `dir` up to `top` (the first one mkdir created). */
async function removeCreated(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (!(await rmdir(current).then(() => true, () => false))) return;
    if (current === top || path.dirname(current) === current) return;
  }
}

function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}

function reasonOf(error: unknown): { code: string; reason: string } {
  if (error instanceof WriteError) return { code: error.code, reason: error.reason };
  return { code: 'EUNKNOWN', reason: error instanceof Error ? error.message : String(error) };
}

/** The report folder (`--out`): created if needed, and kept (the run writes there next). */
export async function checkReportFolder(dir: string, cwd = process.cwd()): Promise<void> {
  try {
    await probeFolder(dir, true);
  } catch (error) {
    const { code, reason } = reasonOf(error);
    throw new NotWritableError(dir, code, `report folder ${shown(dir, cwd)} (--out) is not writable: ${reason} (${code})\n  fix: pass --out a folder on a writable disk with free space, or make ${shown(dir, cwd)} writable`);
  }
}

export interface CorpusOwner {
  name: string;
  file: string;
  input: { corpusDir: string };
}

/**
 * A scenario's corpus folder, and its violations/ and interesting/ folders when they exist
 * (a corpus that arrived with a repository may have read-only parts). A folder that does
 * not exist yet is created for the probe and removed again: the run creates it when it
 * first saves something.
 */
export async function checkCorpusFolder(scenario: CorpusOwner, cwd = process.cwd()): Promise<void> {
  const dir = scenario.input.corpusDir;
  const folders = [dir];
  for (const sub of ['violations', 'interesting']) if (await isFolder(path.join(dir, sub))) folders.push(path.join(dir, sub));
  for (const folder of folders) {
    try {
      await probeFolder(folder, false);
    } catch (error) {
      const { code, reason } = reasonOf(error);
      throw new NotWritableError(
        folder,
        code,
        `corpus folder ${shown(folder, cwd)} of scenario ${scenario.name} (${shown(scenario.file, cwd)}) is not writable: ${reason} (${code}); findings and corpus entries are saved there\n` +
          `  fix: make ${shown(folder, cwd)} writable (or free space on its disk), or set input.corpus in ${shown(scenario.file, cwd)} to a writable folder`,
      );
    }
  }
}

/** Every folder a run writes into: the report folder, then each distinct corpus folder. */
export async function checkRunFolders(outDir: string, scenarios: readonly CorpusOwner[], opts: { corpora: boolean; cwd?: string }): Promise<void> {
  const cwd = opts.cwd ?? process.cwd();
  await checkReportFolder(outDir, cwd);
  if (!opts.corpora) return;
  const seen = new Set<string>();
  for (const scenario of scenarios) {
    if (seen.has(scenario.input.corpusDir)) continue;
    seen.add(scenario.input.corpusDir);
    await checkCorpusFolder(scenario, cwd);
  }
}

/**
 * Files a run could not save (a full, read-only or forbidden disk): the run goes on, keeps
 * what it saved and writes what still fits, and the CLI names what was lost at the end
 * and exits 2. One collector per process is enough: the CLI runs one run per process.
 */
import path from 'node:path';
import { errorCode, reasonFor, WriteError } from './atomic-file.ts';
import { shownPath } from './display-path.ts';

export type LostWriteKind = 'finding' | 'minimised finding' | 'corpus entry' | 'report';

export interface LostWrite {
  kind: LostWriteKind;
  /** What was lost, in words ("finding 3fa2... (slow) of scenario yaml-parse"). */
  what: string;
  /** The file that could not be written (as the error named it), or null when unknown. */
  path: string | null;
  /** System error code ('ENOSPC', 'EACCES', 'EROFS', ...), 'EUNKNOWN' when there was none. */
  code: string;
  /** The reason in words. */
  reason: string;
}

const lost: LostWrite[] = [];

/**
 * Records a write that failed. Any error is accepted (a save may fail before it reaches
 * the disk); a WriteError contributes the file and the code, and `file` names the file
 * meant when the error names none. Never throws, so it can end a promise chain:
 * `save().catch((e) => recordLostWrite('finding', 'finding x', e, inputFile))`.
 */
export function recordLostWrite(kind: LostWriteKind, what: string, error: unknown, file?: string): void {
  if (error instanceof WriteError) {
    lost.push({ kind, what, path: error.path, code: error.code, reason: error.reason });
    return;
  }
  // A raw system error (a lock file, a folder) may name its own path; else the caller's file.
  const own = (error as NodeJS.ErrnoException | null)?.path;
  lost.push({ kind, what, path: typeof own === 'string' ? own : (file ?? null), code: errorCode(error), reason: reasonFor(error) });
}

/**
 * Runs a write; a full, read-only or forbidden disk (isDiskFault) is recorded as a lost
 * write and answered with false instead of ending the caller's work. Other errors (bugs)
 * are thrown as they are.
 */
export async function savedOrLost(kind: LostWriteKind, what: string, write: () => Promise<unknown>, file?: string): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (!isDiskFault(error)) throw error;
    recordLostWrite(kind, what, error, file);
    return false;
  }
}

/** Error codes of a disk that refuses a write (full, read-only, forbidden, failing). */
const DISK_FAULTS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EFBIG']);

/** A WriteError, or any error a disk gives when it refuses a write (a lock file, a rename). */
export function isDiskFault(error: unknown): boolean {
  return error instanceof WriteError || DISK_FAULTS.has(errorCode(error));
}

/** The writes lost so far in this process, in the order they failed. */
export function lostWrites(): readonly LostWrite[] {
  return [...lost];
}

/** Forgets the lost writes (tests; the CLI never resets within a run). */
export function resetLostWrites(): void {
  lost.length = 0;
}

/** At most this many lost corpus entries are named one by one; the rest are counted. */
export const MAX_NAMED_CORPUS_ENTRIES = 10;

function shown(file: string | null, cwd: string): string {
  return file === null ? '(unknown file)' : shownPath(file, cwd);
}

function line(entry: LostWrite, cwd: string): string {
  return `  - ${entry.what}: ${shown(entry.path, cwd)} (${entry.reason}, ${entry.code})`;
}

/**
 * The lost writes for stderr: findings and reports one per line (each is a result the user
 * would look for), interesting corpus entries grouped by folder and named up to a limit.
 * Empty when nothing was lost.
 */
export function describeLostWrites(entries: readonly LostWrite[], cwd = process.cwd()): string {
  if (entries.length === 0) return '';
  const out = [`slo-harness: ${entries.length} file(s) could not be written; what was saved before is intact:`];
  for (const entry of entries.filter((e) => e.kind !== 'corpus entry')) out.push(line(entry, cwd));
  const byFolder = new Map<string, LostWrite[]>();
  for (const entry of entries.filter((e) => e.kind === 'corpus entry')) {
    const dir = entry.path === null ? '(unknown folder)' : shown(path.dirname(entry.path), cwd);
    byFolder.set(dir, [...(byFolder.get(dir) ?? []), entry]);
  }
  for (const [dir, group] of byFolder) {
    const named = group.slice(0, MAX_NAMED_CORPUS_ENTRIES).map((e) => (e.path === null ? '?' : path.basename(e.path)));
    const more = group.length > named.length ? ` and ${group.length - named.length} more` : '';
    out.push(`  - ${group.length} corpus entr${group.length === 1 ? 'y' : 'ies'} in ${dir}: ${named.join(', ')}${more} (${group[0]!.reason}, ${group[0]!.code})`);
  }
  out.push('  fix: free space on that disk (or make the folder writable) and run again; the seed printed at the start replays the same input stream');
  return out.join('\n');
}

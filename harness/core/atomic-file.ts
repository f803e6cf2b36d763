/**
 * Atomic file writes: write a temporary file in the same folder, flush it, rename it over
 * the destination and flush the folder, so a reader (or a crash, or a full disk) never
 * sees a half-written file. On any failure the temporary file is removed and a WriteError
 * names the destination and the system's reason (ENOSPC, EACCES, EROFS, ...).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, HarnessError } from './errors.ts';

/** Readable reasons for the error codes a full, read-only or forbidden disk gives. */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  ENOTDIR: 'a parent path is not a folder',
  EISDIR: 'the path is a folder',
};

/** A file that could not be written (the destination keeps its previous content, if any). */
export class WriteError extends HarnessError {
  /** Destination path. */
  readonly path: string;
  /** System error code ('ENOSPC', 'EACCES', 'EROFS', ...), 'EUNKNOWN' when there was none. */
  readonly code: string;
  /** The reason in words ("no space left on device"). */
  readonly reason: string;
  /** Files of a set (writeFilesAtomic) already replaced when the failure came; usually none. */
  readonly replaced: readonly string[];

  constructor(file: string, cause: unknown, replaced: readonly string[] = []) {
    const code = errorCode(cause);
    const reason = reasonFor(cause);
    super(`cannot write ${file}: ${reason} (${code})`, EXIT.USAGE, { cause });
    this.path = file;
    this.code = code;
    this.reason = reason;
    this.replaced = replaced;
  }
}

/** A system error's reason in words ("no space left on device"), else the error's message. */
export function reasonFor(error: unknown): string {
  return REASONS[errorCode(error)] ?? (error instanceof Error ? error.message : String(error));
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** The temporary name beside `file`: hidden, unique, and recognisable by its `.tmp` ending. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Removes a temporary file; never throws (the original error is the one worth reporting). */
async function discard(tmp: string): Promise<void> {
  await rm(tmp, { force: true }).catch(() => undefined);
}

/**
 * Writes `data` to `tmp` and flushes it to the disk. A full disk shows up here (in the
 * write, the flush or even the close), before anything the reader sees has changed.
 */
export async function writeTempFile(tmp: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(tmp, 'wx');
  let closed = false;
  try {
    await handle.writeFile(data);
    await handle.sync();
    closed = true;
    await handle.close();
  } finally {
    if (!closed) await handle.close().catch(() => undefined);
  }
}

/**
 * Flushes a folder so a rename in it survives a power loss. Filesystems that cannot
 * flush a folder say so with EINVAL or ENOTSUP: the rename is done, which is what matters.
 */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!['EINVAL', 'ENOTSUP', 'EBADF', 'EISDIR'].includes(errorCode(error))) throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * mkdir -p that fails with the real reason: Node's recursive mkdir reports ENOENT where
 * the disk said EROFS or EACCES, so on failure the first missing level is created on its
 * own to get the disk's own answer. Returns the first folder created, as mkdir does.
 */
export async function makeFolder(dir: string): Promise<string | undefined> {
  try {
    return await mkdir(dir, { recursive: true });
  } catch (error) {
    let missing = dir;
    while (path.dirname(missing) !== missing && !(await exists(path.dirname(missing)))) missing = path.dirname(missing);
    const real = await mkdir(missing).then(() => null, (e: unknown) => e);
    throw real ?? error;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** Creates the destination's folder; its failure (a read-only parent) is the destination's. */
async function ensureFolder(file: string): Promise<void> {
  try {
    await makeFolder(path.dirname(file));
  } catch (error) {
    throw new WriteError(file, error);
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await ensureFolder(file);
  const tmp = tempNameFor(file);
  try {
    await writeTempFile(tmp, data);
    await rename(tmp, file);
  } catch (error) {
    await discard(tmp);
    throw new WriteError(file, error);
  }
  try {
    await syncFolder(path.dirname(file));
  } catch (error) {
    throw new WriteError(file, error);
  }
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export interface FileToWrite {
  file: string;
  data: string | Uint8Array;
}

/**
 * Several files that belong together (a report's results.json, index.html and junit.xml),
 * all in one folder: every temporary file is written and flushed first, and only when all
 * of them are on the disk are they renamed, in the order given. A full or read-only disk
 * therefore fails before any destination changes; the temporary files are removed and
 * the previous set stays as it was. Renames in one folder allocate no space, so only an
 * I/O error or a remount between two renames could leave the set mixed: the WriteError
 * then names the first destination that kept its old content, and lists in `replaced`
 * those already renamed.
 */
export async function writeFilesAtomic(files: readonly FileToWrite[]): Promise<void> {
  if (files.length === 0) return;
  for (const { file } of files) await ensureFolder(file);
  const temps = files.map(({ file }) => tempNameFor(file));
  let current = files[0]!.file;
  const replaced: string[] = [];
  try {
    for (const [i, { file, data }] of files.entries()) {
      current = file;
      await writeTempFile(temps[i]!, data);
    }
    for (const [i, { file }] of files.entries()) {
      current = file;
      await rename(temps[i]!, file);
      replaced.push(file);
    }
  } catch (error) {
    await Promise.all(temps.map(discard));
    throw new WriteError(current, error, replaced);
  }
  const folders = [...new Set(files.map(({ file }) => path.dirname(file)))];
  for (const dir of folders) {
    try {
      await syncFolder(dir);
    } catch (error) {
      throw new WriteError(path.join(dir, path.basename(files[0]!.file)), error);
    }
  }
}

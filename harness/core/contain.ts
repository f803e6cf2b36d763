/**
 * Containment of paths read from data files. A corpus folder arrives with a repository and
 * the nightly job runs as root, so a file name inside a record (`"inputFile":
 * "../../../../etc/shadow"`) or a symlink inside a corpus must never make the harness read,
 * print or report a file outside the folder the data belongs to. Paths are compared after
 * symlinks are resolved (realpath of both the folder and the file).
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import path from 'node:path';

/** A path from a data file that leaves its folder (or is not a plain, regular file). */
export class ContainmentError extends Error {
  constructor(
    /** The data file the path was read from. */
    readonly dataFile: string,
    /** The field of the data file that held the path. */
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
    /** The errno code when the path could not be resolved or opened. */
    readonly code: string | null = null,
  ) {
    super(`${dataFile}: field ${field}: ${problem}\n  fix: ${fix}`);
    this.name = 'ContainmentError';
  }
}

/** Where a path came from, for errors: the data file and its field. */
export interface PathSource {
  dataFile: string;
  field: string;
}

/** A value shown in a message: quoted, control characters escaped, and cut short. */
export function shownValue(value: string, max = 80): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}...` : value);
}

/** A file name without any folder part: no separators, not `.` or `..`, no NUL byte. */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** True when `child` is `parent` or lies below it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * The real path of `name` (relative to `folder`), checked to lie inside the real path of
 * `folder`; throws a ContainmentError naming the data file and the field otherwise.
 */
export async function resolveInside(folder: string, name: string, source: PathSource): Promise<string> {
  if (name.includes('\0')) throw new ContainmentError(source.dataFile, source.field, 'contains a NUL byte', 'use a plain path');
  const realFolder = await realpathOrThrow(folder, source, 'the folder it belongs to');
  const real = await realpathOrThrow(path.resolve(folder, name), source, shownValue(name));
  if (!isInside(realFolder, real)) {
    throw new ContainmentError(
      source.dataFile,
      source.field,
      `${shownValue(name)} leads outside ${folder} (after following symlinks)`,
      `name a file inside ${folder}; a data file must never point elsewhere`,
    );
  }
  return real;
}

async function realpathOrThrow(file: string, source: PathSource, what: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const problem = code === 'ENOENT' ? `${what} does not exist` : `${what} cannot be resolved (${code})`;
    throw new ContainmentError(source.dataFile, source.field, problem, 'restore the file, or delete the data file that names it', code);
  }
}

/**
 * Reads a plain file name from `folder`, only if it resolves inside the folder and is a
 * regular file (not a FIFO that would block, nor a device). The file is opened without
 * following a final symlink, so swapping one in after the check does not escape.
 */
export async function readContainedFile(folder: string, name: string, source: PathSource): Promise<Uint8Array> {
  if (!isPlainFileName(name)) {
    throw new ContainmentError(source.dataFile, source.field, `${shownValue(name)} is not a plain file name`, `name a file in the same folder as ${source.dataFile}, without "/" or ".."`);
  }
  const real = await resolveInside(folder, name, source);
  return readRegularFile(real, source);
}

/** Reads a regular file by its real path (O_NOFOLLOW: a symlink put there since is refused). */
export async function readRegularFile(real: string, source: PathSource): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ContainmentError(source.dataFile, source.field, `the file cannot be opened (${code})`, 'restore the file, or delete the data file that names it', code);
  }
  try {
    if (!(await handle.stat()).isFile()) {
      throw new ContainmentError(source.dataFile, source.field, 'is not a regular file', 'name a regular file');
    }
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/** What a folder entry is, judged after symlinks: a regular file inside the folder, a folder, or refused. */
export type FolderEntry = { kind: 'file'; real: string; mtimeMs: number } | { kind: 'folder' } | { kind: 'refused'; reason: string };

/**
 * Classifies `file`, an entry of a folder whose real path is `realFolder`: a symlink is
 * followed only when it stays inside the folder; FIFOs, sockets and devices are refused.
 */
export async function classifyEntry(realFolder: string, file: string): Promise<FolderEntry> {
  try {
    const link = await lstat(file);
    const real = link.isSymbolicLink() ? await realpath(file) : path.join(realFolder, path.basename(file));
    if (link.isSymbolicLink() && !isInside(realFolder, real)) return { kind: 'refused', reason: 'is a symlink that leads outside the corpus folder' };
    const info = link.isSymbolicLink() ? await lstat(real) : link;
    if (info.isDirectory()) return { kind: 'folder' };
    if (!info.isFile()) return { kind: 'refused', reason: 'is not a regular file (a FIFO, socket or device)' };
    return { kind: 'file', real, mtimeMs: info.mtimeMs };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { kind: 'refused', reason: code === 'ENOENT' ? 'is a dangling symlink or vanished' : `cannot be read (${code})` };
  }
}

/**
 * The real path of `folder`, checked not to leave the real path of `parent` (a corpus's
 * `violations/` or `interesting/` folder that is a symlink to elsewhere is refused).
 */
export async function containedFolder(parent: string, folder: string, source: PathSource): Promise<string> {
  const realParent = await realpathOrThrow(parent, source, 'the parent folder');
  const real = await realpathOrThrow(folder, source, 'the folder');
  if (!isInside(realParent, real)) {
    throw new ContainmentError(source.dataFile, source.field, `${folder} is a symlink that leads outside ${parent}`, `replace the symlink with a real folder inside ${parent}`);
  }
  return real;
}

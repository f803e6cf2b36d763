/**
 * Tiny tmpfs mounts for tests of full and read-only disks. Mounting needs root (CI runs
 * as root on Debian 12); elsewhere `tmpfsSkipReason()` says why the tests are skipped.
 * Commands are run with argument arrays, never through a shell.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, fstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let skipReason: string | null | undefined;

/** Null when tmpfs can be mounted here; otherwise why not (for `it.skipIf` messages). */
export function tmpfsSkipReason(): string | null {
  if (skipReason !== undefined) return skipReason;
  if (process.getuid?.() !== 0) return (skipReason = 'needs root to mount a tmpfs (CI runs as root)');
  const probe = mkdtempSync(path.join(tmpdir(), 'slo-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    skipReason = null;
  } catch (error) {
    skipReason = `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
  return skipReason;
}

export interface Tmpfs {
  dir: string;
  /** Fills the disk, then frees `freeBytes` (rounded up to whole 4 KiB pages). */
  fillLeaving(freeBytes: number): void;
  /** Remounts read-only (or back to read-write). */
  setReadOnly(readOnly: boolean): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeKb` KiB on `dir` (created if needed). */
export function mountTmpfs(dir: string, sizeKb: number): Tmpfs {
  execFileSync('mkdir', ['-p', dir]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    fillLeaving: (freeBytes) => fillLeaving(dir, freeBytes),
    setReadOnly: (readOnly) => execFileSync('mount', ['-o', `remount,${readOnly ? 'ro' : 'rw'}`, dir], { stdio: 'pipe' }),
    unmount: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        // Still busy (a child that has not exited yet): detach it, the kernel frees it later.
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
    },
  };
}

const PAGE = 4096;

/** Writes a filler file page by page until the disk is full, then gives back `freeBytes`. */
function fillLeaving(dir: string, freeBytes: number): void {
  const fd = openSync(path.join(dir, '.filler'), 'a');
  const page = Buffer.alloc(PAGE, 0x46);
  try {
    for (;;) writeSync(fd, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
  const size = fstatSync(fd).size;
  const free = Math.ceil(freeBytes / PAGE) * PAGE;
  ftruncateSync(fd, Math.max(0, Math.floor(size / PAGE) * PAGE - free));
  closeSync(fd);
}

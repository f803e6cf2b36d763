/**
 * /proc/<pid>/maps parser and address -> mapping lookup. Pure: the caller reads the text.
 *
 * A line is `start-end perms offset dev inode [path]`, e.g.
 * `00b72000-025fe000 r-xp 00772000 fe:00 260386   /usr/bin/node`. User-space addresses are
 * < 2^47, so they fit a double exactly.
 */

export interface MemoryMapping {
  start: number;
  /** Exclusive. */
  end: number;
  /** File offset mapped at `start`. */
  offset: number;
  /** `r-xp` and the like. */
  perms: string;
  /** File path, `[heap]`/`[vdso]`/..., or '' for anonymous memory. ` (deleted)` is stripped. */
  path: string;
  /** The file was deleted (or replaced) after it was mapped: its current bytes may differ. */
  deleted: boolean;
}

const LINE = /^([0-9a-fA-F]+)-([0-9a-fA-F]+)\s+(\S{4})\s+([0-9a-fA-F]+)\s+\S+\s+\d+\s*(.*)$/;
const DELETED = ' (deleted)';

function parseLine(line: string): MemoryMapping | undefined {
  const match = LINE.exec(line);
  if (!match || match[1] === undefined || match[2] === undefined || match[3] === undefined || match[4] === undefined) return undefined;
  const start = Number.parseInt(match[1], 16);
  const end = Number.parseInt(match[2], 16);
  const offset = Number.parseInt(match[4], 16);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(offset) || end <= start) return undefined;
  let path = (match[5] ?? '').trimEnd();
  const deleted = path.endsWith(DELETED);
  if (deleted) path = path.slice(0, -DELETED.length);
  return { start, end, offset, perms: match[3], path, deleted };
}

/** All mappings, sorted by start; lines that do not parse are skipped. */
export function parseProcMaps(text: string): MemoryMapping[] {
  const mappings: MemoryMapping[] = [];
  for (const line of text.split('\n')) {
    const mapping = parseLine(line);
    if (mapping) mappings.push(mapping);
  }
  return mappings.sort((a, b) => a.start - b.start);
}

/** Code that symbols can name: executable and backed by a file (not [vdso], anon, JIT). */
export function isExecutableFileMapping(mapping: MemoryMapping): boolean {
  return mapping.perms[2] === 'x' && mapping.path.startsWith('/');
}

/**
 * Executable file mappings of several captures of the same process (e.g. at session start and
 * at stop: libraries may load late, and the target may be gone when we symbolize). Where two
 * captures disagree about a range, the later capture wins. Sorted by start, non-overlapping.
 */
export function mergeExecutableFileMappings(texts: readonly string[]): MemoryMapping[] {
  const accepted: MemoryMapping[] = [];
  for (let t = texts.length - 1; t >= 0; t--) {
    for (const mapping of parseProcMaps(texts[t] ?? '')) {
      if (!isExecutableFileMapping(mapping)) continue;
      if (!accepted.some((m) => m.start < mapping.end && mapping.start < m.end)) accepted.push(mapping);
    }
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** The mapping containing `address` in a start-sorted, non-overlapping list, or undefined. */
export function findMapping(mappings: readonly MemoryMapping[], address: number): MemoryMapping | undefined {
  let lo = 0;
  let hi = mappings.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = mappings[mid];
    if (m === undefined) return undefined;
    if (address < m.start) hi = mid - 1;
    else if (address >= m.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

/** File offset that `address` was loaded from, through its mapping. */
export function fileOffsetOf(mapping: MemoryMapping, address: number): number {
  return address - mapping.start + mapping.offset;
}

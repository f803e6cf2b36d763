/**
 * /tmp/perf-<pid>.map parser and address lookup. Pure: the caller reads the file.
 *
 * V8 appends one line per code object it creates: `<start hex> <size hex> <name>`. Code can be
 * collected and its memory reused, so ranges may overlap; the entry written last is the current
 * one. bpftrace prints user frames as bare addresses (it runs with BPFTRACE_NO_USER_SYMBOLS);
 * this lookup names the JIT ones after the capture, from the map as it is at the end.
 */

export interface PerfMapEntry {
  start: number;
  size: number;
  name: string;
  /** Line order in the file: later entries win where ranges overlap. */
  order: number;
}

export interface PerfMap {
  /** Sorted by start, then order. */
  entries: PerfMapEntry[];
  /** prefixMaxEnd[i] = max(start + size) over entries[0..i]: bounds the backwards scan. */
  prefixMaxEnd: number[];
}

const LINE = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.*)$/;

export function parsePerfMap(text: string): PerfMap {
  const entries: PerfMapEntry[] = [];
  let order = 0;
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match || match[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    const start = Number.parseInt(match[1], 16);
    const size = Number.parseInt(match[2], 16);
    // User-space addresses are < 2^47 and fit a double exactly; anything else is not ours.
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size) || size <= 0) continue;
    entries.push({ start, size, name: match[3], order: order++ });
  }
  entries.sort((a, b) => a.start - b.start || a.order - b.order);
  const prefixMaxEnd: number[] = [];
  let max = -1;
  for (const e of entries) {
    max = Math.max(max, e.start + e.size);
    prefixMaxEnd.push(max);
  }
  return { entries, prefixMaxEnd };
}

/** The newest entry whose [start, start + size) contains `address`, or undefined. */
export function lookupPerfMap(map: PerfMap, address: number): PerfMapEntry | undefined {
  let lo = 0;
  let hi = map.entries.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = map.entries[mid];
    if (e !== undefined && e.start <= address) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  let best: PerfMapEntry | undefined;
  for (let i = last; i >= 0; i--) {
    if ((map.prefixMaxEnd[i] ?? -1) <= address) break;
    const e = map.entries[i];
    if (e !== undefined && address < e.start + e.size && (best === undefined || e.order > best.order)) best = e;
  }
  return best;
}

/** Parses `7ff94802d21e` or `0x7ff94802d21e`; undefined when not a safe user-space address. */
export function parseHexAddress(text: string): number | undefined {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return undefined;
  const value = Number.parseInt(hex, 16);
  return Number.isSafeInteger(value) ? value : undefined;
}

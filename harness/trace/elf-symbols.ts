/**
 * Function symbols of an ELF64 file, for naming native stack addresses after a capture
 * (bpftrace runs with BPFTRACE_NO_USER_SYMBOLS=1, which saves most of its CPU).
 *
 * Reads only the ELF header, program headers, section headers and one symbol table with its
 * string table through positioned reads: /usr/bin/node is ~100 MB, its .symtab + .strtab ~10 MB.
 * Header and section parsing is native/elf.ts's; every read is bounds-checked and a
 * malformed file throws ElfFormatError. Names stay undecoded in the string table until looked up.
 * A file with only .dynsym (stripped libc) borrows the .symtab of its separate debug file, found by
 * build id, when one is installed, as bpftrace does.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { ElfConstants, parseElfHeader, readElfSections, type SectionHeader } from '../native/elf.ts';
import { ElfFormatError, elfWindowReader } from '../native/elf-reader.ts';

export { ElfFormatError };

const SHT_SYMTAB = 2;
const SHT_NOTE = 7;
const NT_GNU_BUILD_ID = 3;
/** Where distributions install separate debug files (libc6-dbg, *-dbgsym), keyed by build id. */
export const DEBUG_FILE_ROOT = '/usr/lib/debug/.build-id';
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const PT_LOAD = 1;
const PF_X = 1;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_MIN_SIZE = 56;
/** st_value/st_size high words at or above this exceed 2^53: not a user-space address. */
const UNSAFE_HIGH_WORD = 0x200000;

export interface LoadSegment {
  fileOffset: number;
  vaddr: number;
  fileSize: number;
  memSize: number;
  executable: boolean;
}

export interface ElfSymbolTable {
  /** e_type: 2 ET_EXEC (addresses are absolute), 3 ET_DYN (relocated by the loader). */
  elfType: number;
  source: '.symtab' | '.dynsym' | 'none';
  /** NT_GNU_BUILD_ID as hex, when the file has one: names its separate debug file. */
  buildId?: string;
  /** The separate debug file whose .symtab was used (the file itself had only .dynsym). */
  debugFile?: string;
  loads: readonly LoadSegment[];
  /** Function symbols sorted by start, one per start address; [starts[i], ends[i]) in vaddr space. */
  starts: Float64Array;
  ends: Float64Array;
  nameOffsets: Uint32Array;
  /** The symbol table's string table; names are decoded on lookup. */
  strings: Buffer;
}

export interface SymbolHit {
  name: string;
  offsetInSymbol: number;
}

export interface SymbolEntry {
  name: string;
  start: number;
  end: number;
}

/** Positioned read; `fileSize` bounds it so a hostile offset/size never allocates past the file. */
export type ReadAt = (offset: number, length: number, what: string) => Promise<Buffer>;

function fileReader(handle: FileHandle, fileSize: number): ReadAt {
  return async (offset, length, what) => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > fileSize) {
      throw new ElfFormatError(`${what} at offset ${offset} (+${length}) is outside the file (${fileSize} bytes)`);
    }
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) throw new ElfFormatError(`${what}: file ended at ${offset + got} while reading`);
      got += bytesRead;
    }
    return buf;
  };
}

/** A ReadAt over bytes already in memory (tests, small files). */
export function bufferReader(buf: Buffer): ReadAt {
  return async (offset, length, what) => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
      throw new ElfFormatError(`${what} at offset ${offset} (+${length}) is outside the file (${buf.length} bytes)`);
    }
    return buf.subarray(offset, offset + length);
  };
}

async function readLoadSegments(head: Buffer, read: ReadAt): Promise<LoadSegment[]> {
  const r = elfWindowReader(head);
  const tableOffset = r.u64(32, 'e_phoff');
  const entrySize = r.u16(54, 'e_phentsize');
  const count = r.u16(56, 'e_phnum');
  if (count === 0) return [];
  if (entrySize < PROGRAM_HEADER_MIN_SIZE) throw new ElfFormatError(`bad e_phentsize ${entrySize}`);
  const table = elfWindowReader(await read(tableOffset, count * entrySize, 'program headers'), tableOffset);
  const loads: LoadSegment[] = [];
  for (let i = 0; i < count; i++) {
    const base = tableOffset + i * entrySize;
    const what = `program header ${i}`;
    if (table.u32(base, what) !== PT_LOAD) continue;
    loads.push({
      executable: (table.u32(base + 4, what) & PF_X) !== 0,
      fileOffset: table.u64(base + 8, what),
      vaddr: table.u64(base + 16, what),
      fileSize: table.u64(base + 32, what),
      memSize: table.u64(base + 40, what),
    });
  }
  return loads;
}

interface RawSymbol {
  start: number;
  size: number;
  nameOffset: number;
  bind: number;
}

/** Binding preference when several symbols share a start: GLOBAL, then WEAK, then LOCAL. */
function bindRank(bind: number): number {
  return bind === 1 ? 0 : bind === 2 ? 1 : 2;
}

function readU53(buf: Buffer, at: number): number | undefined {
  const high = buf.readUInt32LE(at + 4);
  return high >= UNSAFE_HIGH_WORD ? undefined : high * 0x1_0000_0000 + buf.readUInt32LE(at);
}

function collectFunctions(table: Buffer, entrySize: number, stringsSize: number): RawSymbol[] {
  const symbols: RawSymbol[] = [];
  for (let at = 0; at + ElfConstants.SYM_SIZE <= table.length; at += entrySize) {
    const info = table[at + 4] ?? 0;
    const type = info & 0xf;
    if (type !== STT_FUNC && type !== STT_GNU_IFUNC) continue;
    if (table.readUInt16LE(at + 6) === ElfConstants.SHN_UNDEF) continue;
    const start = readU53(table, at + 8);
    const size = readU53(table, at + 16);
    const nameOffset = table.readUInt32LE(at);
    if (start === undefined || start === 0 || size === undefined || nameOffset === 0 || nameOffset >= stringsSize) continue;
    symbols.push({ start, size, nameOffset, bind: info >> 4 });
  }
  return symbols;
}

/** End of the load segment holding `vaddr`: bounds a zero-size symbol that has no successor. */
function segmentEnd(loads: readonly LoadSegment[], vaddr: number): number {
  const load = loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.memSize);
  return load ? load.vaddr + load.memSize : vaddr + 1;
}

function buildTable(raw: RawSymbol[], loads: readonly LoadSegment[]): Pick<ElfSymbolTable, 'starts' | 'ends' | 'nameOffsets'> {
  raw.sort((a, b) => a.start - b.start || b.size - a.size || bindRank(a.bind) - bindRank(b.bind));
  const unique = raw.filter((s, i) => i === 0 || raw[i - 1]?.start !== s.start);
  const starts = new Float64Array(unique.length);
  const ends = new Float64Array(unique.length);
  const nameOffsets = new Uint32Array(unique.length);
  unique.forEach((s, i) => {
    starts[i] = s.start;
    nameOffsets[i] = s.nameOffset;
    // A zero-size symbol (hand-written assembly, some stubs) runs to the next symbol.
    ends[i] = s.size > 0 ? s.start + s.size : (unique[i + 1]?.start ?? segmentEnd(loads, s.start));
  });
  return { starts, ends, nameOffsets };
}

function pickSymbolSection(sections: readonly SectionHeader[]): SectionHeader | undefined {
  return sections.find((s) => s.type === SHT_SYMTAB && s.size > 0) ?? sections.find((s) => s.type === ElfConstants.SHT_DYNSYM && s.size > 0);
}

async function readSymbols(
  section: SectionHeader,
  sections: readonly SectionHeader[],
  read: ReadAt,
): Promise<{ raw: RawSymbol[]; strings: Buffer }> {
  const strtab = sections[section.link];
  if (!strtab || strtab.type !== ElfConstants.SHT_STRTAB) {
    throw new ElfFormatError(`${section.name} links to section ${section.link}, which is not a string table`);
  }
  const entrySize = section.entrySize || ElfConstants.SYM_SIZE;
  if (entrySize < ElfConstants.SYM_SIZE) throw new ElfFormatError(`${section.name}: bad entry size ${entrySize}`);
  const table = await read(section.offset, section.size, section.name);
  const strings = await read(strtab.offset, strtab.size, strtab.name);
  return { raw: collectFunctions(table, entrySize, strings.length), strings };
}

/** Hex build id from a .note.gnu.build-id section: notes are namesz, descsz, type, name, desc (4-aligned). */
async function readBuildId(sections: readonly SectionHeader[], read: ReadAt): Promise<string | undefined> {
  const section = sections.find((s) => s.type === SHT_NOTE && s.name === '.note.gnu.build-id');
  if (!section || section.size < 12 || section.size > 4096) return undefined;
  const note = await read(section.offset, section.size, section.name);
  const nameSize = note.readUInt32LE(0);
  const descSize = note.readUInt32LE(4);
  const descStart = 12 + Math.ceil(nameSize / 4) * 4;
  if (note.readUInt32LE(8) !== NT_GNU_BUILD_ID || descSize < 2 || descStart + descSize > note.length) return undefined;
  return note.toString('hex', descStart, descStart + descSize);
}

/** Parses function symbols through `read`. Throws ElfFormatError on a malformed file. */
export async function parseElfSymbols(read: ReadAt): Promise<ElfSymbolTable> {
  const head = await read(0, ELF_HEADER_SIZE, 'ELF header');
  const header = parseElfHeader(head);
  const loads = await readLoadSegments(head, read);
  const sections = await readElfSections(header, (offset, length) => read(offset, length, 'section headers'));
  let section = pickSymbolSection(sections);
  let symbols = section ? await readSymbols(section, sections, read) : { raw: [], strings: Buffer.alloc(0) };
  // A .symtab of only local labels (rare) names less than .dynsym would.
  const dynsym = sections.find((s) => s.type === ElfConstants.SHT_DYNSYM && s.size > 0);
  if (symbols.raw.length === 0 && dynsym && dynsym !== section) {
    section = dynsym;
    symbols = await readSymbols(dynsym, sections, read);
  }
  const source = section === undefined ? 'none' : section.type === SHT_SYMTAB ? '.symtab' : '.dynsym';
  const buildId = await readBuildId(sections, read);
  const table: ElfSymbolTable = { elfType: header.type, source, loads, strings: symbols.strings, ...buildTable(symbols.raw, loads) };
  if (buildId !== undefined) table.buildId = buildId;
  return table;
}

const cache = new Map<string, { key: string; table: Promise<ElfSymbolTable> }>();

/** Function symbols of the file at `path`, cached per (path, size, mtime) for this process. */
export async function loadElfSymbols(path: string): Promise<ElfSymbolTable> {
  const info = await stat(path);
  const key = `${info.size}:${info.mtimeMs}`;
  const hit = cache.get(path);
  if (hit && hit.key === key) return hit.table;
  const table = parseFile(path, info.size).then((own) => (own.source === '.symtab' ? own : withDebugFileSymbols(own)));
  cache.set(path, { key, table });
  table.catch(() => {
    if (cache.get(path)?.table === table) cache.delete(path);
  });
  return table;
}

async function parseFile(path: string, size?: number): Promise<ElfSymbolTable> {
  const fileSize = size ?? (await stat(path)).size;
  const handle = await open(path, 'r');
  try {
    return await parseElfSymbols(fileReader(handle, fileSize));
  } finally {
    await handle.close();
  }
}

/**
 * A stripped library (libc ships only .dynsym) names static functions such as
 * __libc_start_call_main only in its separate debug file; bpftrace finds that by build id, so
 * we do too. The debug file keeps the link-time addresses; the loads stay the library's own.
 */
async function withDebugFileSymbols(own: ElfSymbolTable): Promise<ElfSymbolTable> {
  if (own.buildId === undefined) return own;
  const debugFile = `${DEBUG_FILE_ROOT}/${own.buildId.slice(0, 2)}/${own.buildId.slice(2)}.debug`;
  try {
    const debug = await parseFile(debugFile);
    if (debug.source !== '.symtab' || debug.buildId !== own.buildId || debug.starts.length === 0) return own;
    return { ...own, source: '.symtab', debugFile, starts: debug.starts, ends: debug.ends, nameOffsets: debug.nameOffsets, strings: debug.strings };
  } catch {
    return own; // No debug file installed (the usual case), or an unreadable one: .dynsym it is.
  }
}

export function clearElfSymbolCache(): void {
  cache.clear();
}

/** Link-time virtual address of the byte at `fileOffset`, through the PT_LOAD holding it. */
export function fileOffsetToVaddr(table: ElfSymbolTable, fileOffset: number): number | undefined {
  for (const load of table.loads) {
    if (fileOffset >= load.fileOffset && fileOffset < load.fileOffset + Math.max(load.fileSize, 1)) {
      return fileOffset - load.fileOffset + load.vaddr;
    }
  }
  return undefined;
}

function nameAt(table: ElfSymbolTable, index: number): string {
  const offset = table.nameOffsets[index] ?? 0;
  const end = table.strings.indexOf(0, offset);
  return table.strings.toString('latin1', offset, end < 0 ? table.strings.length : end);
}

/** Index of the last symbol starting at or before `vaddr`, or -1. */
function lastStartAtOrBefore(starts: Float64Array, vaddr: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? Infinity) <= vaddr) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return last;
}

/** How far back to look for an enclosing symbol when the nearest one ends before `vaddr`. */
const NESTED_LOOKBACK = 4;

/** The function symbol containing link-time address `vaddr`. */
export function lookupSymbol(table: ElfSymbolTable, vaddr: number): SymbolHit | undefined {
  const last = lastStartAtOrBefore(table.starts, vaddr);
  for (let i = last; i >= 0 && i > last - NESTED_LOOKBACK; i--) {
    const start = table.starts[i] ?? 0;
    if (vaddr < (table.ends[i] ?? 0)) return { name: nameAt(table, i), offsetInSymbol: vaddr - start };
  }
  return undefined;
}

/** The symbol at a runtime `address` loaded from file offset `address - mapStart + mapOffset`. */
export function lookupRuntimeAddress(
  table: ElfSymbolTable,
  mapping: { start: number; offset: number },
  address: number,
): SymbolHit | undefined {
  const vaddr = fileOffsetToVaddr(table, address - mapping.start + mapping.offset);
  return vaddr === undefined ? undefined : lookupSymbol(table, vaddr);
}

export function symbolCount(table: ElfSymbolTable): number {
  return table.starts.length;
}

/** The i-th function symbol in address order (tests, diagnostics). */
export function symbolAt(table: ElfSymbolTable, index: number): SymbolEntry | undefined {
  const start = table.starts[index];
  const end = table.ends[index];
  if (start === undefined || end === undefined) return undefined;
  return { name: nameAt(table, index), start, end };
}

/** Linear scan by exact name (tests, diagnostics). */
export function findSymbolByName(table: ElfSymbolTable, name: string): SymbolEntry | undefined {
  for (let i = 0; i < table.starts.length; i++) if (nameAt(table, i) === name) return symbolAt(table, i);
  return undefined;
}

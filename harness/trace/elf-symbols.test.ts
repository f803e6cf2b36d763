import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf, parseElfHeader, readElfSections } from '../native/elf.ts';
import {
  DEBUG_FILE_ROOT,
  ElfFormatError,
  bufferReader,
  fileOffsetToVaddr,
  findSymbolByName,
  loadElfSymbols,
  lookupRuntimeAddress,
  lookupSymbol,
  parseElfSymbols,
  symbolAt,
  symbolCount,
  type ElfSymbolTable,
} from './elf-symbols.ts';
import { findMapping, isExecutableFileMapping, parseProcMaps, type MemoryMapping } from './proc-maps.ts';

const NODE = process.execPath;
const ownMappings = parseProcMaps(readFileSync('/proc/self/maps', 'utf8')).filter(isExecutableFileMapping);
const libcMapping = ownMappings.find((m) => /\/libc[.-][^/]*so/.test(m.path));
const nmAvailable = spawnSync('nm', ['--version']).status === 0;

/** The runtime address at which `vaddr` of the file mapped by `mapping` sits, if that mapping holds it. */
function runtimeAddressOf(table: ElfSymbolTable, mapping: MemoryMapping, vaddr: number): number | undefined {
  const load = table.loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.fileSize);
  if (!load) return undefined;
  const address = vaddr - load.vaddr + load.fileOffset - mapping.offset + mapping.start;
  return address >= mapping.start && address < mapping.end ? address : undefined;
}

describe('loadElfSymbols on the real node binary', () => {
  it('reads function symbols from .symtab and finds each one back from inside its range', async () => {
    const table = await loadElfSymbols(NODE);
    expect(table.source).toBe('.symtab');
    expect(symbolCount(table)).toBeGreaterThan(10_000);
    for (const fraction of [0.1, 0.37, 0.5, 0.83]) {
      const symbol = symbolAt(table, Math.floor(symbolCount(table) * fraction));
      if (!symbol) throw new Error('no symbol');
      expect(lookupSymbol(table, symbol.start)).toEqual({ name: symbol.name, offsetInSymbol: 0 });
      expect(lookupSymbol(table, symbol.start + 1)?.name).toBe(symbol.name);
      expect(lookupSymbol(table, symbol.end - 1)).toEqual({ name: symbol.name, offsetInSymbol: symbol.end - 1 - symbol.start });
    }
    expect(lookupSymbol(table, 0x10)).toBeUndefined();
  });

  it('keeps starts sorted and ranges non-empty', async () => {
    const table = await loadElfSymbols(NODE);
    let sorted = true;
    for (let i = 1; i < table.starts.length; i++) sorted &&= (table.starts[i - 1] ?? 0) < (table.starts[i] ?? 0) && (table.ends[i] ?? 0) > (table.starts[i] ?? 0);
    expect(sorted).toBe(true);
  });

  it('resolves a builtin through the running process\'s own mapping of node (ET_EXEC: vaddr = address)', async () => {
    const table = await loadElfSymbols(NODE);
    const entry = findSymbolByName(table, 'Builtins_JSEntry');
    if (!entry) return expect.fail('node has no Builtins_JSEntry symbol');
    const mapping = findMapping(ownMappings, entry.start + 4);
    expect(mapping?.path).toBe(NODE);
    if (!mapping) return;
    expect(fileOffsetToVaddr(table, entry.start + 4 - mapping.start + mapping.offset)).toBe(entry.start + 4);
    expect(lookupRuntimeAddress(table, mapping, entry.start + 4)).toEqual({ name: 'Builtins_JSEntry', offsetInSymbol: 4 });
  });

  it('caches the parsed table per file', async () => {
    expect(await loadElfSymbols(NODE)).toBe(await loadElfSymbols(NODE));
  });
});

describe.skipIf(libcMapping === undefined)('loadElfSymbols on libc (ET_DYN, relocated)', () => {
  it('resolves a libc function at its runtime address in this process back to its name', async () => {
    if (!libcMapping) return;
    const table = await loadElfSymbols(libcMapping.path);
    expect(table.elfType).toBe(3);
    let checked = 0;
    for (let i = 0; i < symbolCount(table) && checked < 20; i += 37) {
      const symbol = symbolAt(table, i);
      const address = symbol && runtimeAddressOf(table, libcMapping, symbol.start + 1);
      if (!symbol || address === undefined) continue;
      expect(lookupRuntimeAddress(table, libcMapping, address)).toEqual({ name: symbol.name, offsetInSymbol: 1 });
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it.skipIf(!nmAvailable)('agrees with nm on every sized libc function (its debug file\'s .symtab when installed)', async () => {
    if (!libcMapping) return;
    const table = await loadElfSymbols(libcMapping.path);
    const args = table.debugFile ? [table.debugFile] : ['-D', libcMapping.path];
    const nm = spawnSync('nm', ['-S', '--defined-only', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const aliasesAt = new Map<number, Set<string>>();
    const sized: { start: number; size: number }[] = [];
    for (const line of nm.stdout.split('\n')) {
      const [address, size, kind, name] = line.split(' ');
      if (!address || !size || !name || !/^[TtWwi]$/.test(kind ?? '')) continue;
      const start = Number.parseInt(address, 16);
      const names = aliasesAt.get(start) ?? new Set<string>();
      names.add(name).add(name.replace(/@.*$/, '')); // nm -D appends @VERSION; a .symtab name may hold one itself
      aliasesAt.set(start, names);
      if (Number.parseInt(size, 16) > 0) sized.push({ start, size: Number.parseInt(size, 16) });
    }
    expect(sized.length).toBeGreaterThan(100);
    for (const { start, size } of sized) {
      const hit = lookupSymbol(table, start + size - 1);
      expect(aliasesAt.get(start)?.has(hit?.name ?? '')).toBe(true);
    }
  });
});

describe.skipIf(libcMapping === undefined)('windowed section reading and debug files', () => {
  it('reads the same section headers through positioned reads as parseElf does from the whole file', async () => {
    if (!libcMapping) return;
    const bytes = readFileSync(libcMapping.path);
    const read = bufferReader(bytes);
    const sections = await readElfSections(parseElfHeader(bytes), (offset, length) => read(offset, length, 'sections'));
    expect(sections).toEqual(parseElf(bytes).sections);
  });

  it('reads the build id and, when the debug file is installed, its .symtab (static functions too)', async () => {
    if (!libcMapping) return;
    const table = await loadElfSymbols(libcMapping.path);
    expect(table.buildId).toMatch(/^[0-9a-f]{16,}$/);
    if (table.debugFile === undefined) return expect(table.source).toBe('.dynsym');
    expect(table.debugFile).toBe(`${DEBUG_FILE_ROOT}/${table.buildId?.slice(0, 2)}/${table.buildId?.slice(2)}.debug`);
    expect(table.source).toBe('.symtab');
    expect(findSymbolByName(table, '__libc_start_call_main')).toBeDefined();
  });
});

describe('malformed files', () => {
  it('rejects bytes that are not ELF', async () => {
    await expect(parseElfSymbols(bufferReader(Buffer.from('#!/bin/sh\necho hi\n')))).rejects.toThrow(ElfFormatError);
    await expect(parseElfSymbols(bufferReader(Buffer.alloc(64)))).rejects.toThrow(/bad magic/);
  });

  it('rejects the first bytes of node alone, at any cut, with a clear ElfFormatError', async () => {
    const head = Buffer.alloc(4096);
    const handle = openSync(NODE, 'r');
    try {
      readSync(handle, head, 0, head.length, 0);
    } finally {
      closeSync(handle);
    }
    for (const cut of [10, 63, 64, 200, 4096]) {
      await expect(parseElfSymbols(bufferReader(head.subarray(0, cut)))).rejects.toThrow(ElfFormatError);
    }
    await expect(parseElfSymbols(bufferReader(head))).rejects.toThrow(/outside the file \(4096 bytes\)/);
  });

  it.skipIf(libcMapping === undefined)('rejects a truncated or corrupted library', async () => {
    if (!libcMapping) return;
    const bytes = readFileSync(libcMapping.path);
    await expect(parseElfSymbols(bufferReader(bytes))).resolves.toMatchObject({ elfType: 3 });
    await expect(parseElfSymbols(bufferReader(bytes.subarray(0, bytes.length >> 1)))).rejects.toThrow(ElfFormatError);
    const corrupt = Buffer.from(bytes);
    corrupt.writeUInt16LE(8, 54); // e_phentsize below the 56-byte minimum
    await expect(parseElfSymbols(bufferReader(corrupt))).rejects.toThrow(/e_phentsize/);
  });
});

/**
 * In-place edits of an ELF file's symbol versioning (the Jazzer.js addon compat step): callers
 * pass a Buffer they own (e.g. a copy) and the entries parseElf found in it.
 */
import { ElfFormatError } from './elf-reader.ts';
import type { DynamicSymbol, VersionNeedAux, VersymTable } from './elf.ts';

export function writeVernauxFlags(buf: Buffer, aux: VersionNeedAux, flags: number): void {
  buf.writeUInt16LE(flags, aux.entryOffset + 4);
}

export function writeSymbolNameOffset(buf: Buffer, symbol: DynamicSymbol, nameOffset: number): void {
  buf.writeUInt32LE(nameOffset, symbol.entryOffset);
}

export function writeVersymEntry(buf: Buffer, table: VersymTable, symbolIndex: number, value: number): void {
  if (symbolIndex < 0 || symbolIndex >= table.entries.length) {
    throw new ElfFormatError(`versym index ${symbolIndex} out of range`);
  }
  buf.writeUInt16LE(value, table.offset + symbolIndex * 2);
}

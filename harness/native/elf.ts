/**
 * Minimal ELF64 little-endian parser over a Buffer.
 *
 * Only what the Jazzer.js addon compat step needs: section headers, the dynamic
 * symbol table and its string table, GNU symbol versioning (versym, verneed,
 * verdef) and the relocations that reference dynamic symbols. Pure: no I/O.
 * Every read is bounds-checked so a truncated or hostile file throws an
 * ElfFormatError instead of returning garbage (elf-reader.ts); the in-place editors are in
 * elf-edit.ts.
 */
import { ElfFormatError, ElfReader } from './elf-reader.ts';

export const ElfConstants = {
  ELFCLASS64: 2,
  ELFDATA2LSB: 1,
  EM_X86_64: 62,
  SHT_STRTAB: 3,
  SHT_RELA: 4,
  SHT_REL: 9,
  SHT_DYNSYM: 11,
  SHT_GNU_VERDEF: 0x6ffffffd,
  SHT_GNU_VERNEED: 0x6ffffffe,
  SHT_GNU_VERSYM: 0x6fffffff,
  SHN_UNDEF: 0,
  SHN_XINDEX: 0xffff,
  VER_FLG_BASE: 0x1,
  VER_FLG_WEAK: 0x2,
  /** Bit 15 of a versym entry marks a hidden version; the index is the low 15 bits. */
  VERSYM_HIDDEN: 0x8000,
  VERSYM_INDEX_MASK: 0x7fff,
  /** Sizes of the on-disk ELF64 records used here. */
  SYM_SIZE: 24,
  VERNEED_SIZE: 16,
  VERNAUX_SIZE: 16,
  VERDEF_SIZE: 20,
  VERDAUX_SIZE: 8,
  RELA_SIZE: 24,
  REL_SIZE: 16,
} as const;

export interface ElfHeader {
  readonly type: number;
  readonly machine: number;
  readonly sectionHeaderOffset: number;
  readonly sectionHeaderEntrySize: number;
  readonly sectionCount: number;
  readonly sectionNameTableIndex: number;
}

export interface SectionHeader {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly entrySize: number;
}

export interface DynamicSymbol {
  readonly index: number;
  /** File offset of this Elf64_Sym record (for editing st_name). */
  readonly entryOffset: number;
  /** st_name: offset of the name inside the dynamic string table. */
  readonly nameOffset: number;
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  readonly sectionIndex: number;
  readonly isUndefined: boolean;
}

export interface VersionNeedAux {
  /** File offset of this Elf64_Vernaux record (for editing vna_flags). */
  readonly entryOffset: number;
  readonly hash: number;
  readonly flags: number;
  /** vna_other: the version index that .gnu.version entries refer to. */
  readonly versionIndex: number;
  readonly name: string;
  /** The library (vn_file) this need is addressed to, e.g. "libc.so.6". */
  readonly fileName: string;
}

export interface VersionNeed {
  readonly fileName: string;
  readonly entries: readonly VersionNeedAux[];
}

export interface VersionDefinition {
  readonly versionIndex: number;
  readonly flags: number;
  /** First verdaux name: the version being defined (or the soname for the BASE entry). */
  readonly name: string;
  readonly isBase: boolean;
}

export interface DynamicRelocation {
  readonly sectionName: string;
  readonly offset: number;
  readonly symbolIndex: number;
  readonly type: number;
}

export interface VersymTable {
  /** File offset of the .gnu.version section (entry i is at offset + 2*i). */
  readonly offset: number;
  readonly entries: readonly number[];
}

export interface ElfFile {
  readonly header: ElfHeader;
  readonly sections: readonly SectionHeader[];
  readonly dynamicSymbols: readonly DynamicSymbol[];
  readonly versym: VersymTable | null;
  readonly versionNeeds: readonly VersionNeed[];
  readonly versionDefinitions: readonly VersionDefinition[];
  /** Relocations (REL/RELA) whose symbol table is .dynsym. */
  readonly dynamicRelocations: readonly DynamicRelocation[];
}

function parseHeader(r: ElfReader): ElfHeader {
  const magic = [r.u8(0, 'magic'), r.u8(1, 'magic'), r.u8(2, 'magic'), r.u8(3, 'magic')];
  if (magic[0] !== 0x7f || magic[1] !== 0x45 || magic[2] !== 0x4c || magic[3] !== 0x46) {
    throw new ElfFormatError('not an ELF file (bad magic)');
  }
  if (r.u8(4, 'EI_CLASS') !== ElfConstants.ELFCLASS64) throw new ElfFormatError('not a 64-bit ELF file');
  if (r.u8(5, 'EI_DATA') !== ElfConstants.ELFDATA2LSB) throw new ElfFormatError('not a little-endian ELF file');
  return {
    type: r.u16(16, 'e_type'),
    machine: r.u16(18, 'e_machine'),
    sectionHeaderOffset: r.u64(40, 'e_shoff'),
    sectionHeaderEntrySize: r.u16(58, 'e_shentsize'),
    sectionCount: r.u16(60, 'e_shnum'),
    sectionNameTableIndex: r.u16(62, 'e_shstrndx'),
  };
}

interface RawSection extends Omit<SectionHeader, 'name'> {
  readonly nameOffset: number;
}

function readRawSection(r: ElfReader, header: ElfHeader, index: number): RawSection {
  const base = header.sectionHeaderOffset + index * header.sectionHeaderEntrySize;
  const what = `section header ${index}`;
  return {
    index,
    nameOffset: r.u32(base, what),
    type: r.u32(base + 4, what),
    offset: r.u64(base + 24, what),
    size: r.u64(base + 32, what),
    link: r.u32(base + 40, what),
    info: r.u32(base + 44, what),
    entrySize: r.u64(base + 56, what),
  };
}

function parseSections(r: ElfReader, header: ElfHeader): SectionHeader[] {
  if (header.sectionHeaderOffset === 0) return [];
  if (header.sectionHeaderEntrySize < 64) throw new ElfFormatError(`bad e_shentsize ${header.sectionHeaderEntrySize}`);
  // Extended numbering: a zero count / SHN_XINDEX name index live in section 0.
  const first = readRawSection(r, header, 0);
  const count = header.sectionCount === 0 ? first.size : header.sectionCount;
  const nameIndex = header.sectionNameTableIndex === ElfConstants.SHN_XINDEX ? first.link : header.sectionNameTableIndex;
  const raw: RawSection[] = [];
  for (let i = 0; i < count; i++) raw.push(readRawSection(r, header, i));
  const names = raw[nameIndex];
  return raw.map((s) => ({
    index: s.index,
    name: names ? r.cString(names.offset + s.nameOffset, names.offset + names.size, 'section name') : '',
    type: s.type,
    offset: s.offset,
    size: s.size,
    link: s.link,
    info: s.info,
    entrySize: s.entrySize,
  }));
}

function stringTable(sections: readonly SectionHeader[], index: number, owner: string): SectionHeader {
  const table = sections[index];
  if (!table || table.type !== ElfConstants.SHT_STRTAB) {
    throw new ElfFormatError(`${owner} links to section ${index}, which is not a string table`);
  }
  return table;
}

function stringAt(r: ElfReader, table: SectionHeader, offset: number, what: string): string {
  if (offset >= table.size) throw new ElfFormatError(`${what}: string offset ${offset} beyond ${table.name}`);
  return r.cString(table.offset + offset, table.offset + table.size, what);
}

function parseDynamicSymbols(r: ElfReader, sections: readonly SectionHeader[], dynsym: SectionHeader): DynamicSymbol[] {
  const strtab = stringTable(sections, dynsym.link, dynsym.name);
  const entrySize = dynsym.entrySize || ElfConstants.SYM_SIZE;
  const symbols: DynamicSymbol[] = [];
  for (let index = 0; index * entrySize < dynsym.size; index++) {
    const entryOffset = dynsym.offset + index * entrySize;
    const nameOffset = r.u32(entryOffset, 'st_name');
    const info = r.u8(entryOffset + 4, 'st_info');
    const sectionIndex = r.u16(entryOffset + 6, 'st_shndx');
    symbols.push({
      index,
      entryOffset,
      nameOffset,
      name: stringAt(r, strtab, nameOffset, `dynamic symbol ${index} name`),
      bind: info >> 4,
      type: info & 0xf,
      sectionIndex,
      isUndefined: sectionIndex === ElfConstants.SHN_UNDEF,
    });
  }
  return symbols;
}

function parseVersym(r: ElfReader, section: SectionHeader): VersymTable {
  const entries: number[] = [];
  for (let i = 0; i * 2 < section.size; i++) entries.push(r.u16(section.offset + i * 2, 'versym entry'));
  return { offset: section.offset, entries };
}

/** Record count from sh_info; if a linker left it 0, bound the vn_next/vd_next walk by the section size. */
function recordLimit(section: SectionHeader, recordSize: number): number {
  return section.info > 0 ? section.info : Math.floor(section.size / recordSize);
}

function parseVersionNeeds(r: ElfReader, sections: readonly SectionHeader[], section: SectionHeader): VersionNeed[] {
  const strtab = stringTable(sections, section.link, section.name);
  const needs: VersionNeed[] = [];
  let needOffset = section.offset;
  // sh_info holds the number of Verneed records (DT_VERNEEDNUM); vn_next chains them.
  for (let n = 0; n < recordLimit(section, ElfConstants.VERNEED_SIZE); n++) {
    const fileName = stringAt(r, strtab, r.u32(needOffset + 4, 'vn_file'), 'vn_file');
    const auxCount = r.u16(needOffset + 2, 'vn_cnt');
    const entries: VersionNeedAux[] = [];
    let auxOffset = needOffset + r.u32(needOffset + 8, 'vn_aux');
    for (let a = 0; a < auxCount; a++) {
      entries.push({
        entryOffset: auxOffset,
        hash: r.u32(auxOffset, 'vna_hash'),
        flags: r.u16(auxOffset + 4, 'vna_flags'),
        versionIndex: r.u16(auxOffset + 6, 'vna_other'),
        name: stringAt(r, strtab, r.u32(auxOffset + 8, 'vna_name'), 'vna_name'),
        fileName,
      });
      const next = r.u32(auxOffset + 12, 'vna_next');
      if (next === 0) break;
      auxOffset += next;
    }
    needs.push({ fileName, entries });
    const next = r.u32(needOffset + 12, 'vn_next');
    if (next === 0) break;
    needOffset += next;
  }
  return needs;
}

function parseVersionDefinitions(
  r: ElfReader,
  sections: readonly SectionHeader[],
  section: SectionHeader,
): VersionDefinition[] {
  const strtab = stringTable(sections, section.link, section.name);
  const definitions: VersionDefinition[] = [];
  let defOffset = section.offset;
  for (let n = 0; n < recordLimit(section, ElfConstants.VERDEF_SIZE); n++) {
    const flags = r.u16(defOffset + 2, 'vd_flags');
    const auxOffset = defOffset + r.u32(defOffset + 12, 'vd_aux');
    definitions.push({
      versionIndex: r.u16(defOffset + 4, 'vd_ndx'),
      flags,
      name: stringAt(r, strtab, r.u32(auxOffset, 'vda_name'), 'vda_name'),
      isBase: (flags & ElfConstants.VER_FLG_BASE) !== 0,
    });
    const next = r.u32(defOffset + 16, 'vd_next');
    if (next === 0) break;
    defOffset += next;
  }
  return definitions;
}

function parseRelocations(r: ElfReader, section: SectionHeader): DynamicRelocation[] {
  const isRela = section.type === ElfConstants.SHT_RELA;
  const entrySize = section.entrySize || (isRela ? ElfConstants.RELA_SIZE : ElfConstants.REL_SIZE);
  const relocations: DynamicRelocation[] = [];
  for (let i = 0; i * entrySize < section.size; i++) {
    const base = section.offset + i * entrySize;
    relocations.push({
      sectionName: section.name,
      offset: r.u64(base, 'r_offset'),
      symbolIndex: r.u64High32(base + 8, 'r_info'),
      type: r.u32(base + 8, 'r_info'),
    });
  }
  return relocations;
}

/** Parses the parts of an ELF64 LE file that symbol versioning involves. */
export function parseElf(buf: Buffer): ElfFile {
  const r = new ElfReader(buf);
  const header = parseHeader(r);
  const sections = parseSections(r, header);
  const dynsym = sections.find((s) => s.type === ElfConstants.SHT_DYNSYM);
  const versymSection = sections.find((s) => s.type === ElfConstants.SHT_GNU_VERSYM);
  const verneedSection = sections.find((s) => s.type === ElfConstants.SHT_GNU_VERNEED);
  const verdefSection = sections.find((s) => s.type === ElfConstants.SHT_GNU_VERDEF);
  const relocationSections = sections.filter(
    (s) => (s.type === ElfConstants.SHT_RELA || s.type === ElfConstants.SHT_REL) && dynsym && s.link === dynsym.index,
  );
  return {
    header,
    sections,
    dynamicSymbols: dynsym ? parseDynamicSymbols(r, sections, dynsym) : [],
    versym: versymSection ? parseVersym(r, versymSection) : null,
    versionNeeds: verneedSection ? parseVersionNeeds(r, sections, verneedSection) : [],
    versionDefinitions: verdefSection ? parseVersionDefinitions(r, sections, verdefSection) : [],
    dynamicRelocations: relocationSections.flatMap((s) => parseRelocations(r, s)),
  };
}

/* ---- Windowed access for callers that read parts of a large file (trace/elf-symbols.ts). ---- */

/** The ELF header from a buffer holding (at least) the file's first 64 bytes. */
export function parseElfHeader(buf: Buffer): ElfHeader {
  return parseHeader(new ElfReader(buf));
}

/**
 * Section headers with names, fetching only the section header table and the section-name
 * table through `read(offset, length)` (a positioned read; it may return fewer bytes at EOF).
 */
export async function readElfSections(
  header: ElfHeader,
  read: (offset: number, length: number) => Promise<Buffer>,
): Promise<SectionHeader[]> {
  if (header.sectionHeaderOffset === 0) return [];
  const { sectionHeaderOffset: tableOffset, sectionHeaderEntrySize: entrySize } = header;
  if (entrySize < 64) throw new ElfFormatError(`bad e_shentsize ${entrySize}`);
  const first = readRawSection(new ElfReader(await read(tableOffset, entrySize), tableOffset), header, 0);
  const count = header.sectionCount === 0 ? first.size : header.sectionCount;
  const nameIndex = header.sectionNameTableIndex === ElfConstants.SHN_XINDEX ? first.link : header.sectionNameTableIndex;
  let start = tableOffset;
  let end = tableOffset + count * entrySize;
  if (nameIndex < count) {
    const at = tableOffset + nameIndex * entrySize;
    const names = readRawSection(new ElfReader(await read(at, entrySize), at), header, nameIndex);
    start = Math.min(start, names.offset);
    end = Math.max(end, names.offset + names.size);
  }
  // Linkers put .shstrtab next to the section header table, so this is one small read.
  return parseSections(new ElfReader(await read(start, end - start), start), header);
}

/** Version index (low 15 bits of the versym entry) of a dynamic symbol, or null without versioning. */
export function symbolVersionIndex(elf: ElfFile, symbolIndex: number): number | null {
  const entry = elf.versym?.entries[symbolIndex];
  return entry === undefined ? null : entry & ElfConstants.VERSYM_INDEX_MASK;
}

/** All version-need entries, flattened, each carrying its library name. */
export function allVersionNeedEntries(elf: ElfFile): VersionNeedAux[] {
  return elf.versionNeeds.flatMap((need) => [...need.entries]);
}

/** Indices of dynamic symbols referenced by at least one relocation. */
export function relocatedSymbolIndices(elf: ElfFile): Set<number> {
  return new Set(elf.dynamicRelocations.map((rel) => rel.symbolIndex).filter((index) => index !== 0));
}

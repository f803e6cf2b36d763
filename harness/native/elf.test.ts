import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElfConstants, allVersionNeedEntries, parseElf, relocatedSymbolIndices, symbolVersionIndex, type ElfFile } from './elf.ts';
import { ElfFormatError } from './elf-reader.ts';
import { definedVersions } from './host-versions.ts';
import { pristineAddon, readelf, readelfAvailable, readelfDynamicSymbols } from '../../test/support/jazzer-elf.ts';

const addon = pristineAddon();
const elf = parseElf(addon);

function symbolNamed(file: ElfFile, name: string) {
  const symbol = file.dynamicSymbols.find((s) => s.name === name);
  if (!symbol) throw new Error(`no dynamic symbol ${name}`);
  return symbol;
}

function versionNameOf(file: ElfFile, symbolIndex: number): string | undefined {
  const index = symbolVersionIndex(file, symbolIndex);
  return allVersionNeedEntries(file).find((a) => a.versionIndex === index)?.name;
}

describe('parseElf on the real Jazzer.js addon', () => {
  it('reads the header and the sections symbol versioning needs', () => {
    expect(elf.header.machine).toBe(ElfConstants.EM_X86_64);
    const names = elf.sections.map((s) => s.name);
    for (const name of ['.dynsym', '.dynstr', '.gnu.version', '.gnu.version_r', '.rela.dyn', '.rela.plt']) {
      expect(names).toContain(name);
    }
    expect(elf.versym?.entries.length).toBe(elf.dynamicSymbols.length);
  });

  it('finds the __isoc23 symbols as undefined, relocated, needing GLIBC_2.38 from libc.so.6', () => {
    const relocated = relocatedSymbolIndices(elf);
    for (const name of ['__isoc23_strtol', '__isoc23_strtoul']) {
      const symbol = symbolNamed(elf, name);
      expect(symbol.isUndefined).toBe(true);
      expect(relocated.has(symbol.index)).toBe(true);
      expect(versionNameOf(elf, symbol.index)).toBe('GLIBC_2.38');
      const need = allVersionNeedEntries(elf).find((a) => a.versionIndex === symbolVersionIndex(elf, symbol.index));
      expect(need?.fileName).toBe('libc.so.6');
    }
    const pltNames = elf.dynamicRelocations
      .filter((r) => r.sectionName === '.rela.plt')
      .map((r) => elf.dynamicSymbols[r.symbolIndex]?.name);
    expect(pltNames).toEqual(expect.arrayContaining(['__isoc23_strtol', '__isoc23_strtoul']));
  });

  it('finds ios_base_library_init needing GLIBCXX_3.4.32 with no relocation', () => {
    const symbol = symbolNamed(elf, '_ZSt21ios_base_library_initv');
    expect(versionNameOf(elf, symbol.index)).toBe('GLIBCXX_3.4.32');
    expect(relocatedSymbolIndices(elf).has(symbol.index)).toBe(false);
  });

  it('keeps one GLIBC_2.2.5 need per library (libc and libm have distinct indices)', () => {
    const baseline = allVersionNeedEntries(elf).filter((a) => a.name === 'GLIBC_2.2.5');
    expect(baseline.map((a) => a.fileName).sort()).toEqual(['libc.so.6', 'libm.so.6']);
    expect(new Set(baseline.map((a) => a.versionIndex)).size).toBe(2);
  });
});

describe('parseElf error handling', () => {
  it('rejects non-ELF and truncated input with ElfFormatError', () => {
    expect(() => parseElf(Buffer.from('not an elf file at all, definitely'))).toThrow(ElfFormatError);
    expect(() => parseElf(addon.subarray(0, 40))).toThrow(ElfFormatError);
    // Section headers live at the end of the file: cutting the tail must fail loudly, not read zeros.
    expect(() => parseElf(addon.subarray(0, addon.length - 100))).toThrow(ElfFormatError);
  });

  it('rejects 32-bit and big-endian files', () => {
    const as32 = Buffer.from(addon);
    as32[4] = 1;
    expect(() => parseElf(as32)).toThrow(/64-bit/);
    const asBigEndian = Buffer.from(addon);
    asBigEndian[5] = 2;
    expect(() => parseElf(asBigEndian)).toThrow(/little-endian/);
  });
});

describe.skipIf(!readelfAvailable())('cross-check against readelf (independent oracle)', () => {
  let dir = '';
  let addonCopy = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'elf-test-'));
    addonCopy = join(dir, 'addon.node');
    writeFileSync(addonCopy, addon);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every dynamic symbol name and version matches readelf --dyn-syms', () => {
    const expected = readelfDynamicSymbols(addonCopy);
    const ours = new Map<number, string>();
    for (const symbol of elf.dynamicSymbols) {
      if (symbol.index === 0) continue;
      const version = versionNameOf(elf, symbol.index);
      ours.set(symbol.index, version ? `${symbol.name}@${version}` : symbol.name);
    }
    expect(expected.size).toBeGreaterThan(400);
    expect(ours).toEqual(expected);
  });

  it('the relocation count matches readelf -r', () => {
    const entries = readelf(['-r', '-W', addonCopy]).match(/^[0-9a-f]{16}\s+[0-9a-f]{16}\s+R_/gm) ?? [];
    expect(elf.dynamicRelocations.length).toBe(entries.length);
  });

  it("host libc's defined versions match readelf -V", () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    const fromReadelf = new Set(
      [...readelf(['-V', '-W', libc]).split('Version needs section')[0]!.matchAll(/Flags: none\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)/g)].map(
        (m) => m[1]!,
      ),
    );
    const ours = definedVersions(readFileSync(libc));
    expect(fromReadelf.has('GLIBC_2.2.5')).toBe(true);
    expect(ours).toEqual(fromReadelf);
  });
});

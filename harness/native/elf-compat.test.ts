import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ElfConstants, allVersionNeedEntries, parseElf, symbolVersionIndex, type ElfFile } from './elf.ts';
import {
  REDIRECTABLE_ISOC23,
  applyCompatPatch,
  planCompatPatch,
  requiredLibraries,
  type CompatPlan,
  type PatchPlan,
} from './elf-compat.ts';
import { detectHostVersions, findMappedLibrary, mappedPaths } from './host-versions.ts';
import { hostDefiningAllBut, pristineAddon } from '../../test/support/jazzer-elf.ts';

const addon = pristineAddon();
/** What Debian 12 lacks, independent of the machine the tests run on. */
const debian12Like = hostDefiningAllBut(addon, ['GLIBC_2.38', 'GLIBCXX_3.4.32']);

function expectPatch(plan: CompatPlan): PatchPlan {
  if (plan.kind !== 'patch') throw new Error(`expected a patch plan, got ${JSON.stringify(plan)}`);
  return plan;
}

function expectRefused(plan: CompatPlan): string {
  if (plan.kind !== 'refused') throw new Error(`expected a refusal, got ${JSON.stringify(plan)}`);
  return plan.reason;
}

/** Rewrites the dynstr string of `symbolName` in a copy (same length or shorter, NUL-padded). */
function renameSymbolString(buf: Buffer, symbolName: string, newName: string): Buffer {
  const elf = parseElf(buf);
  const symbol = elf.dynamicSymbols.find((s) => s.name === symbolName);
  const dynstr = elf.sections.find((s) => s.name === '.dynstr');
  if (!symbol || !dynstr || newName.length > symbolName.length) throw new Error('cannot rename');
  const copy = Buffer.from(buf);
  const at = dynstr.offset + symbol.nameOffset;
  copy.fill(0, at, at + symbolName.length);
  copy.write(newName, at, 'latin1');
  return copy;
}

function libcBaselineIndex(elf: ElfFile): number {
  const aux = allVersionNeedEntries(elf).find((a) => a.fileName === 'libc.so.6' && a.name === 'GLIBC_2.2.5');
  if (!aux) throw new Error('no libc GLIBC_2.2.5 need');
  return aux.versionIndex;
}

describe('planCompatPatch on the real addon for a Debian-12-like host', () => {
  const plan = expectPatch(planCompatPatch(addon, debian12Like));

  it('redirects exactly __isoc23_strtol/strtoul to strtol/strtoul@GLIBC_2.2.5 of libc', () => {
    const redirects = plan.redirect.map((r) => `${r.from}@${r.fromVersion}->${r.to}@${r.toVersion}`).sort();
    expect(redirects).toEqual([
      '__isoc23_strtol@GLIBC_2.38->strtol@GLIBC_2.2.5',
      '__isoc23_strtoul@GLIBC_2.38->strtoul@GLIBC_2.2.5',
    ]);
    const libcBaseline = libcBaselineIndex(parseElf(addon));
    expect(plan.redirect.every((r) => r.toVersionIndex === libcBaseline)).toBe(true);
  });

  it('weakens exactly the GLIBC_2.38 and GLIBCXX_3.4.32 needs and keeps the unrelocated symbol', () => {
    expect(plan.weaken.map((w) => `${w.version}/${w.library}`).sort()).toEqual([
      'GLIBCXX_3.4.32/libstdc++.so.6',
      'GLIBC_2.38/libc.so.6',
    ]);
    expect(plan.unboundKept.map((u) => u.name)).toEqual(['_ZSt21ios_base_library_initv']);
  });

  it('applies to a copy: only the planned fields change, the input is untouched', () => {
    const before = Buffer.from(addon);
    const patched = applyCompatPatch(addon, plan);
    expect(addon.equals(before)).toBe(true);
    const elf = parseElf(patched);
    for (const r of plan.redirect) {
      expect(elf.dynamicSymbols[r.symbolIndex]?.name).toBe(r.to);
      expect(symbolVersionIndex(elf, r.symbolIndex)).toBe(libcBaselineIndex(elf));
    }
    const weak = allVersionNeedEntries(elf).filter((a) => (a.flags & ElfConstants.VER_FLG_WEAK) !== 0);
    expect(weak.map((a) => a.name).sort()).toEqual(['GLIBCXX_3.4.32', 'GLIBC_2.38']);
    // Byte-level: at most 4 (st_name) + 2 (versym) per redirect and 2 (vna_flags) per weakened need.
    let changed = 0;
    for (let i = 0; i < addon.length; i++) if (addon[i] !== patched[i]) changed++;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThanOrEqual(plan.redirect.length * 6 + plan.weaken.length * 2);
    expect(patched.length).toBe(addon.length);
  });

  it('has nothing left to do on the patched file (idempotent)', () => {
    const patched = applyCompatPatch(addon, plan);
    expect(planCompatPatch(patched, debian12Like).kind).toBe('nothing-to-do');
  });

  it('has nothing to do where the host defines every needed version', () => {
    expect(planCompatPatch(addon, hostDefiningAllBut(addon, [])).kind).toBe('nothing-to-do');
  });
});

describe('planCompatPatch refusals', () => {
  it('refuses when the host libc lacks the GLIBC_2.2.5 baseline', () => {
    const reason = expectRefused(planCompatPatch(addon, hostDefiningAllBut(addon, ['GLIBC_2.38', 'GLIBCXX_3.4.32', 'GLIBC_2.2.5'])));
    expect(reason).toMatch(/GLIBC_2\.2\.5/);
  });

  it('refuses when another relocated symbol needs a version the host lacks', () => {
    const reason = expectRefused(planCompatPatch(addon, hostDefiningAllBut(addon, ['GLIBC_2.38', 'GLIBC_2.34'])));
    expect(reason).toMatch(/pthread_\w+@GLIBC_2\.34 \(libc\.so\.6\) is relocated/);
  });

  it('refuses __isoc23_sscanf (C23 conversions differ) even though it has an unprefixed twin', () => {
    const edited = renameSymbolString(addon, '__isoc23_strtoul', '__isoc23_sscanf');
    const reason = expectRefused(planCompatPatch(edited, debian12Like));
    expect(reason).toMatch(/__isoc23_sscanf@GLIBC_2\.38/);
    expect(reason).not.toMatch(/__isoc23_strtol@/);
  });

  it('refuses an unknown too-new relocated symbol', () => {
    const edited = renameSymbolString(addon, '__isoc23_strtol', 'memfrob2038');
    expect(expectRefused(planCompatPatch(edited, debian12Like))).toMatch(/memfrob2038@GLIBC_2\.38/);
  });

  it('refuses when a needed library is not on the host, and on non-ELF input', () => {
    const withoutLibstdcxx = new Map([...debian12Like].filter(([lib]) => lib !== 'libstdc++.so.6'));
    expect(expectRefused(planCompatPatch(addon, withoutLibstdcxx))).toMatch(/libstdc\+\+\.so\.6/);
    expect(expectRefused(planCompatPatch(Buffer.from('hello'), debian12Like))).toMatch(/cannot parse/);
  });

  it('applyCompatPatch rejects a plan made for another file', () => {
    const plan = expectPatch(planCompatPatch(addon, debian12Like));
    const other = renameSymbolString(addon, '__isoc23_strtol', '__isoc23_strto');
    expect(() => applyCompatPatch(other, plan)).toThrow(/does not match/);
  });
});

describe('host detection', () => {
  it('parses /proc/<pid>/maps and matches versioned library file names', () => {
    const maps = [
      '7f2ab4626000-7f2ab464c000 r--p 00000000 fe:00 339380   /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7f2ab464c000-7f2ab47a2000 r-xp 00026000 fe:00 339380   /usr/lib/x86_64-linux-gnu/libc.so.6',
      '7f0000000000-7f0000001000 r-xp 00000000 fe:00 1        /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30',
      '7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0        [stack]',
    ].join('\n');
    const paths = mappedPaths(maps);
    expect(paths).toEqual(['/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30']);
    expect(findMappedLibrary(paths, 'libstdc++.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30');
    expect(findMappedLibrary(paths, 'libc.so.6')).toBe('/usr/lib/x86_64-linux-gnu/libc.so.6');
    expect(findMappedLibrary(paths, 'libm.so.6')).toBeNull();
  });

  it('reads the real host libraries every version need of the addon names', async () => {
    const detection = await detectHostVersions([...requiredLibraries(addon), 'libdoesnotexist.so.9']);
    expect(detection.missing.map((m) => m.soname)).toEqual(['libdoesnotexist.so.9']);
    expect(detection.versions.get('libc.so.6')?.has('GLIBC_2.2.5')).toBe(true);
    expect(detection.versions.get('libstdc++.so.6')?.has('GLIBCXX_3.4')).toBe(true);
  });

  it('the redirect table is sound on this host: each target is a libc symbol at GLIBC_2.2.5', async () => {
    const detection = await detectHostVersions(['libc.so.6']);
    const libcPath = detection.libraries[0]?.path;
    if (!libcPath) throw new Error('host libc not found');
    const libc = parseElf(readFileSync(libcPath));
    const versionNames = new Map(libc.versionDefinitions.map((d) => [d.versionIndex, d.name]));
    for (const target of REDIRECTABLE_ISOC23) {
      const definedAt = libc.dynamicSymbols
        .filter((s) => s.name === target && !s.isUndefined)
        .map((s) => versionNames.get(symbolVersionIndex(libc, s.index) ?? -1));
      expect({ target, definedAt }).toEqual({ target, definedAt: ['GLIBC_2.2.5'] });
    }
  });
});

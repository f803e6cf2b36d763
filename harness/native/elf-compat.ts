/**
 * Decides and applies the ELF edit that lets a native addon built against a
 * newer glibc/libstdc++ load on an older host (Jazzer.js 4.0.0's prebuilt
 * fuzzer addon on Debian 12). Pure: buffers in, buffers/plans out.
 *
 * The edit has two parts:
 *  1. Version needs (vernaux) that the host libraries do not define are marked
 *     VER_FLG_WEAK. ld.so then accepts the missing version instead of refusing
 *     the whole object; that is only safe for needs no relocated symbol uses.
 *  2. Relocated symbols that need a missing version are redirected, but only
 *     the `__isoc23_strto*` family: glibc 2.38 added them so that C23 code
 *     parses "0b..." literals; their signature and every other behaviour equal
 *     the unprefixed functions that exist since the x86-64 baseline
 *     (GLIBC_2.2.5). The symbol's st_name is pointed at the unprefixed suffix of
 *     its own dynstr string and its versym at the addon's existing libc
 *     GLIBC_2.2.5 need. The sscanf family is deliberately not redirected: its
 *     variadic conversions are where C23 semantics differ, so we refuse.
 * Anything else relocated against a missing version makes the plan refuse.
 */
import { ElfConstants, allVersionNeedEntries, parseElf, relocatedSymbolIndices, symbolVersionIndex, type DynamicSymbol, type ElfFile, type VersionNeedAux } from './elf.ts';
import { writeSymbolNameOffset, writeVernauxFlags, writeVersymEntry } from './elf-edit.ts';
import { ElfFormatError } from './elf-reader.ts';

/** soname (e.g. "libc.so.6") -> version names its verdef defines (e.g. "GLIBC_2.36"). */
export type HostVersions = ReadonlyMap<string, ReadonlySet<string>>;

export interface WeakenedNeed {
  readonly library: string;
  readonly version: string;
  readonly versionIndex: number;
  readonly entryOffset: number;
}

export interface SymbolRedirect {
  readonly symbolIndex: number;
  readonly from: string;
  readonly to: string;
  readonly fromVersion: string;
  readonly fromVersionIndex: number;
  readonly toVersion: string;
  readonly toVersionIndex: number;
  /** New st_name: the suffix of the original dynstr string. */
  readonly newNameOffset: number;
}

/** A symbol needing a missing version that stays as is because nothing binds it (no relocation). */
export interface UnboundSymbol {
  readonly name: string;
  readonly version: string;
  readonly library: string;
}

export type CompatPlan =
  | {
      readonly kind: 'patch';
      readonly weaken: readonly WeakenedNeed[];
      readonly redirect: readonly SymbolRedirect[];
      readonly unboundKept: readonly UnboundSymbol[];
      readonly summary: string;
    }
  | { readonly kind: 'nothing-to-do'; readonly summary: string }
  | { readonly kind: 'refused'; readonly reason: string };

export type PatchPlan = Extract<CompatPlan, { kind: 'patch' }>;

const ISOC23_PREFIX = '__isoc23_';
const GLIBC_SONAME = 'libc.so.6';

/**
 * `__isoc23_X` -> `X` for functions whose only C23 change is accepting binary
 * ("0b") literals, with an identical signature. Exported for the host cross-check test.
 */
export const REDIRECTABLE_ISOC23: ReadonlySet<string> = new Set(
  ['strtol', 'strtoul', 'strtoll', 'strtoull', 'strtoimax', 'strtoumax'].flatMap((f) => [f, f.replace('str', 'wcs')]),
);

/** The oldest glibc symbol version per machine: where the unprefixed strto* live. */
const BASELINE_GLIBC_VERSION: ReadonlyMap<number, string> = new Map([[ElfConstants.EM_X86_64, 'GLIBC_2.2.5']]);

export function baselineGlibcVersion(machine: number): string | null {
  return BASELINE_GLIBC_VERSION.get(machine) ?? null;
}

/** Libraries the file has version needs on (what host detection must look at). */
export function requiredLibraries(buf: Buffer): string[] {
  return parseElf(buf).versionNeeds.map((need) => need.fileName);
}

function hostDefines(host: HostVersions, library: string, version: string): boolean {
  return host.get(library)?.has(version) ?? false;
}

type RedirectDecision = { readonly redirect: SymbolRedirect } | { readonly problem: string };

function decideRedirect(elf: ElfFile, symbol: DynamicSymbol, need: VersionNeedAux, host: HostVersions): RedirectDecision {
  const label = `${symbol.name}@${need.name} (${need.fileName})`;
  const target = symbol.name.startsWith(ISOC23_PREFIX) ? symbol.name.slice(ISOC23_PREFIX.length) : null;
  if (target === null || !REDIRECTABLE_ISOC23.has(target) || need.fileName !== GLIBC_SONAME) {
    return { problem: `${label} is relocated, the host lacks ${need.name}, and no same-ABI older symbol is known` };
  }
  const baseline = baselineGlibcVersion(elf.header.machine);
  if (baseline === null) return { problem: `${label}: no known baseline glibc version for ELF machine ${elf.header.machine}` };
  const baselineNeed = allVersionNeedEntries(elf).find((a) => a.fileName === GLIBC_SONAME && a.name === baseline);
  if (!baselineNeed) return { problem: `${label}: the file has no ${baseline} need on ${GLIBC_SONAME} to bind ${target} to` };
  if (!hostDefines(host, GLIBC_SONAME, baseline)) return { problem: `${label}: the host ${GLIBC_SONAME} lacks ${baseline}` };
  return {
    redirect: {
      symbolIndex: symbol.index,
      from: symbol.name,
      to: target,
      fromVersion: need.name,
      fromVersionIndex: need.versionIndex,
      toVersion: baseline,
      toVersionIndex: baselineNeed.versionIndex,
      newNameOffset: symbol.nameOffset + ISOC23_PREFIX.length,
    },
  };
}

function summarize(problems: readonly string[], limit = 6): string {
  const shown = problems.slice(0, limit).join('; ');
  return problems.length > limit ? `${shown}; and ${problems.length - limit} more` : shown;
}

/** Decides the edit for `buf` on a host defining `host` versions; never throws on bad input. */
export function planCompatPatch(buf: Buffer, host: HostVersions): CompatPlan {
  let elf: ElfFile;
  try {
    elf = parseElf(buf);
  } catch (error) {
    if (error instanceof ElfFormatError) return { kind: 'refused', reason: `cannot parse the addon: ${error.message}` };
    throw error;
  }
  const missingLibraries = elf.versionNeeds.map((n) => n.fileName).filter((lib) => !host.has(lib));
  if (missingLibraries.length > 0) {
    return { kind: 'refused', reason: `host libraries not found: ${missingLibraries.join(', ')}` };
  }
  const unmet = new Map<number, VersionNeedAux>();
  for (const aux of allVersionNeedEntries(elf)) {
    if (!hostDefines(host, aux.fileName, aux.name)) unmet.set(aux.versionIndex, aux);
  }
  const relocated = relocatedSymbolIndices(elf);
  const problems: string[] = [];
  const redirect: SymbolRedirect[] = [];
  const unboundKept: UnboundSymbol[] = [];
  for (const symbol of elf.dynamicSymbols) {
    const versionIndex = symbolVersionIndex(elf, symbol.index);
    const need = versionIndex === null ? undefined : unmet.get(versionIndex);
    if (!need) continue;
    if (!symbol.isUndefined) {
      problems.push(`${symbol.name} is defined here but tagged with needed version ${need.name}`);
    } else if (!relocated.has(symbol.index)) {
      unboundKept.push({ name: symbol.name, version: need.name, library: need.fileName });
    } else {
      const decision = decideRedirect(elf, symbol, need, host);
      if ('problem' in decision) problems.push(decision.problem);
      else redirect.push(decision.redirect);
    }
  }
  if (problems.length > 0) return { kind: 'refused', reason: summarize(problems) };

  const weaken: WeakenedNeed[] = [...unmet.values()]
    .filter((aux) => (aux.flags & ElfConstants.VER_FLG_WEAK) === 0)
    .map((aux) => ({ library: aux.fileName, version: aux.name, versionIndex: aux.versionIndex, entryOffset: aux.entryOffset }));
  if (weaken.length === 0 && redirect.length === 0) {
    const why = unmet.size === 0 ? 'the host defines every version the addon needs' : 'the edit is already applied';
    return { kind: 'nothing-to-do', summary: why };
  }
  return { kind: 'patch', weaken, redirect, unboundKept, summary: describePlan(weaken, redirect, unboundKept) };
}

function describePlan(
  weaken: readonly WeakenedNeed[],
  redirect: readonly SymbolRedirect[],
  unbound: readonly UnboundSymbol[],
): string {
  const parts = [`weak version needs: ${weaken.map((w) => `${w.version} (${w.library})`).join(', ') || 'none'}`];
  parts.push(`redirected: ${redirect.map((r) => `${r.from}@${r.fromVersion} -> ${r.to}@${r.toVersion}`).join(', ') || 'none'}`);
  if (unbound.length > 0) parts.push(`left unbound (no relocation): ${unbound.map((u) => `${u.name}@${u.version}`).join(', ')}`);
  return parts.join('; ');
}

/** Checks that `elf` is the file the plan was made for, so offsets cannot corrupt another file. */
function assertPlanMatches(elf: ElfFile, plan: PatchPlan): void {
  const needs = allVersionNeedEntries(elf);
  for (const w of plan.weaken) {
    const aux = needs.find((a) => a.entryOffset === w.entryOffset);
    if (!aux || aux.name !== w.version || aux.fileName !== w.library) {
      throw new Error(`plan does not match this file: no ${w.version} need at offset ${w.entryOffset}`);
    }
  }
  for (const r of plan.redirect) {
    const symbol = elf.dynamicSymbols[r.symbolIndex];
    if (!symbol || symbol.name !== r.from || symbolVersionIndex(elf, r.symbolIndex) !== r.fromVersionIndex) {
      throw new Error(`plan does not match this file: symbol ${r.symbolIndex} is not ${r.from}@${r.fromVersion}`);
    }
  }
}

/** Returns a patched copy of `buf`; `buf` itself is left untouched. */
export function applyCompatPatch(buf: Buffer, plan: PatchPlan): Buffer {
  const out = Buffer.from(buf);
  const elf = parseElf(out);
  assertPlanMatches(elf, plan);
  const needs = allVersionNeedEntries(elf);
  for (const w of plan.weaken) {
    const aux = needs.find((a) => a.entryOffset === w.entryOffset);
    if (aux) writeVernauxFlags(out, aux, aux.flags | ElfConstants.VER_FLG_WEAK);
  }
  const versym = elf.versym;
  for (const r of plan.redirect) {
    const symbol = elf.dynamicSymbols[r.symbolIndex];
    const oldEntry = versym?.entries[r.symbolIndex];
    if (!symbol || !versym || oldEntry === undefined) throw new Error(`symbol ${r.symbolIndex} vanished`);
    writeSymbolNameOffset(out, symbol, r.newNameOffset);
    // Keep the hidden bit as it was; only the version index changes.
    writeVersymEntry(out, versym, r.symbolIndex, (oldEntry & ElfConstants.VERSYM_HIDDEN) | r.toVersionIndex);
  }
  verifyPatched(parseElf(out), plan);
  return out;
}

function verifyPatched(elf: ElfFile, plan: PatchPlan): void {
  for (const r of plan.redirect) {
    const symbol = elf.dynamicSymbols[r.symbolIndex];
    if (symbol?.name !== r.to || symbolVersionIndex(elf, r.symbolIndex) !== r.toVersionIndex) {
      throw new Error(`patch verification failed for ${r.from}`);
    }
  }
}

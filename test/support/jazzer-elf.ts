/**
 * Shared by the jazzer/*.test.ts files: the unpatched addon bytes and an
 * independent `readelf` oracle (used only when binutils is installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { allVersionNeedEntries, parseElf } from '../../harness/native/elf.ts';
import type { HostVersions } from '../../harness/native/elf-compat.ts';
import { resolveJazzerAddonPath } from '../../harness/native/ensure-loadable.ts';

export function installedAddonPath(): string {
  const path = resolveJazzerAddonPath();
  if (path === null) throw new Error('@jazzer.js/fuzzer prebuild is not installed');
  return path;
}

function hasIsoc23Symbols(buf: Buffer): boolean {
  return parseElf(buf).dynamicSymbols.some((s) => s.name.startsWith('__isoc23_'));
}

/**
 * The addon as shipped. The install step may already have patched the installed
 * file; it writes `<addon>.orig` before swapping, so read the live file first and
 * fall back to the kept original (no race with a concurrent swap).
 */
export function pristineAddon(): Buffer {
  const path = installedAddonPath();
  const live = readFileSync(path);
  if (hasIsoc23Symbols(live)) return live;
  const kept = `${path}.orig`;
  if (existsSync(kept)) {
    const original = readFileSync(kept);
    if (hasIsoc23Symbols(original)) return original;
  }
  throw new Error(`no unpatched copy of ${path} (neither the file nor ${kept} has __isoc23_ symbols)`);
}

/**
 * A Debian-12-like host, independent of the machine running the tests: every
 * library the addon needs defines every version it asks for, except `withhold`.
 */
export function hostDefiningAllBut(buf: Buffer, withhold: readonly string[]): HostVersions {
  const host = new Map<string, Set<string>>();
  for (const aux of allVersionNeedEntries(parseElf(buf))) {
    const versions = host.get(aux.fileName) ?? new Set<string>();
    if (!withhold.includes(aux.name)) versions.add(aux.name);
    host.set(aux.fileName, versions);
  }
  return host;
}

export function readelfAvailable(): boolean {
  return spawnSync('readelf', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `readelf` output for `args` (argument vector, no shell). */
export function readelf(args: readonly string[]): string {
  const result = spawnSync('readelf', [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`readelf ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** readelf --dyn-syms -W: symbol index -> "name" or "name@version" (as readelf prints it, without " (n)"). */
export function readelfDynamicSymbols(path: string): Map<number, string> {
  const symbols = new Map<number, string>();
  for (const line of readelf(['--dyn-syms', '-W', path]).split('\n')) {
    const m = /^\s*(\d+):\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)/.exec(line);
    if (m?.[1] && m[2]) symbols.set(Number(m[1]), m[2]);
  }
  return symbols;
}

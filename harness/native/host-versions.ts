/**
 * Which symbol versions the host's shared libraries define (GLIBC_x in
 * libc.so.6, GLIBCXX_x/CXXABI_x in libstdc++.so.6, ...), read from their
 * verdef sections with our own ELF reader: no ldd, no readelf.
 *
 * Libraries are located the way the addon's loader would most likely find them:
 * first the copies already mapped into this node process (/proc/self/maps: node
 * itself links libc, libm, libstdc++, libgcc_s and ld.so, and the addon is
 * loaded into a node process like this one), then LD_LIBRARY_PATH, then the
 * usual multiarch and lib directories. The load probe in ensure-loadable.ts is
 * the real safety net; this only has to be right for the plan.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseElf } from './elf.ts';
import type { HostVersions } from './elf-compat.ts';

export interface HostLibrary {
  readonly soname: string;
  readonly path: string;
  readonly versions: ReadonlySet<string>;
}

export interface HostDetection {
  readonly versions: HostVersions;
  readonly libraries: readonly HostLibrary[];
  /** Sonames that were looked for and not found (or not parseable), with why. */
  readonly missing: readonly { readonly soname: string; readonly reason: string }[];
}

export interface HostDetectionOptions {
  /** Contents of a /proc/<pid>/maps file; defaults to this process's. */
  readonly mapsText?: string;
  /** Directories tried after the mapped libraries; defaults to LD_LIBRARY_PATH + standard dirs. */
  readonly searchDirs?: readonly string[];
}

const STANDARD_LIBRARY_DIRS: readonly string[] = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
];

/** Version names a library defines (its verdef entries minus the BASE/soname entry). */
export function definedVersions(libraryElf: Buffer): Set<string> {
  return new Set(
    parseElf(libraryElf)
      .versionDefinitions.filter((d) => !d.isBase)
      .map((d) => d.name),
  );
}

/** Mapped file paths from /proc/<pid>/maps text, in order, without duplicates. */
export function mappedPaths(mapsText: string): string[] {
  const paths = new Set<string>();
  for (const line of mapsText.split('\n')) {
    const slash = line.indexOf('/');
    if (slash >= 0) paths.add(line.slice(slash).trim().replace(/ \(deleted\)$/, ''));
  }
  return [...paths];
}

/** A mapped path whose file name is the soname or a versioned form of it (libstdc++.so.6.0.30). */
export function findMappedLibrary(paths: readonly string[], soname: string): string | null {
  return paths.find((p) => basename(p) === soname || basename(p).startsWith(`${soname}.`)) ?? null;
}

function defaultSearchDirs(): string[] {
  const fromEnv = (process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d.length > 0);
  return [...fromEnv, ...STANDARD_LIBRARY_DIRS];
}

async function readMaps(): Promise<string> {
  try {
    return await readFile('/proc/self/maps', 'utf8');
  } catch {
    return '';
  }
}

function candidatePaths(soname: string, mapped: readonly string[], dirs: readonly string[]): string[] {
  const fromMaps = findMappedLibrary(mapped, soname);
  return [...(fromMaps ? [fromMaps] : []), ...dirs.map((d) => join(d, soname))];
}

async function loadLibrary(soname: string, candidates: readonly string[]): Promise<HostLibrary | string> {
  const failures: string[] = [];
  for (const path of candidates) {
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch {
      continue; // not there: try the next directory
    }
    try {
      return { soname, path, versions: definedVersions(buf) };
    } catch (error) {
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return failures.length > 0 ? failures.join('; ') : `not found in ${candidates.join(', ')}`;
}

/** Finds each soname on the host and reads the versions it defines. */
export async function detectHostVersions(
  sonames: readonly string[],
  options: HostDetectionOptions = {},
): Promise<HostDetection> {
  const mapped = mappedPaths(options.mapsText ?? (await readMaps()));
  const dirs = options.searchDirs ?? defaultSearchDirs();
  const libraries: HostLibrary[] = [];
  const missing: { soname: string; reason: string }[] = [];
  for (const soname of new Set(sonames)) {
    const result = await loadLibrary(soname, candidatePaths(soname, mapped, dirs));
    if (typeof result === 'string') missing.push({ soname, reason: result });
    else libraries.push(result);
  }
  const versions: HostVersions = new Map(libraries.map((lib) => [lib.soname, lib.versions]));
  return { versions, libraries, missing };
}

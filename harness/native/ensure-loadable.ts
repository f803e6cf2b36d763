/**
 * Install step for the Jazzer.js native addon: leave it alone where it loads,
 * otherwise patch a copy (see elf-compat.ts), prove the copy loads in a fresh
 * node with LD_BIND_NOW=1 (every symbol bound at load, so a missing one fails
 * now rather than mid-fuzzing), keep the original beside it and swap the copy
 * in with an atomic rename. Where that is impossible it refuses with a reason
 * and the harness falls back to its builtin engine.
 */
import { spawn } from 'node:child_process';
import { trackChild } from '../core/process-registry.ts';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { applyCompatPatch, planCompatPatch, requiredLibraries } from './elf-compat.ts';
import { detectHostVersions, type HostDetectionOptions } from './host-versions.ts';

export type JazzerCompatStatus = 'already-loads' | 'patched' | 'refused' | 'not-installed' | 'unsupported-platform';

export interface JazzerCompatResult {
  readonly status: JazzerCompatStatus;
  readonly reason: string;
  readonly addonPath: string | null;
}

export interface JazzerLoadability {
  readonly loadable: boolean;
  readonly reason: string;
}

export interface JazzerCompatOptions {
  /** The addon to check/patch; defaults to the installed @jazzer.js/fuzzer prebuild for this platform. */
  readonly addonPath?: string;
  /** Per load probe (one child node process). */
  readonly timeoutMs?: number;
  readonly hostDetection?: HostDetectionOptions;
}

export interface LoadProbe {
  readonly loads: boolean;
  /** Why it did not load (the loader's message), or what loaded. */
  readonly detail: string;
}

const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
const ORIGINAL_SUFFIX = '.orig';
/** process.dlopen does not care about the file extension, unlike require(). */
const PROBE_SCRIPT =
  "const m={exports:{}};process.dlopen(m,process.argv[1]);process.stdout.write('exports='+Object.keys(m.exports).length)";
const MAX_CAPTURE = 64 * 1024;

/** Path of the installed prebuild for this platform, or null when @jazzer.js/fuzzer is not installed. */
export function resolveJazzerAddonPath(): string | null {
  const fileName = `fuzzer-${process.platform}-${process.arch}.node`;
  for (const packageDir of jazzerFuzzerPackageDirs()) {
    // Same lookup order as @jazzer.js/fuzzer/dist/addon.js.
    for (const dir of [join(packageDir, 'dist', 'prebuilds'), join(packageDir, 'prebuilds')]) {
      if (existsSync(dir)) return existsSync(join(dir, fileName)) ? join(dir, fileName) : null;
    }
  }
  return null;
}

function jazzerFuzzerPackageDirs(): string[] {
  const dirs: string[] = [];
  const fromHere = createRequire(import.meta.url);
  const attempts: (() => string)[] = [
    () => fromHere.resolve('@jazzer.js/fuzzer/package.json'),
    // Not hoisted: it is a dependency of @jazzer.js/core.
    () => createRequire(fromHere.resolve('@jazzer.js/core/package.json')).resolve('@jazzer.js/fuzzer/package.json'),
  ];
  for (const attempt of attempts) {
    try {
      dirs.push(dirname(attempt()));
    } catch {
      // not resolvable this way
    }
  }
  return dirs;
}

/** The loader's message from a failed probe's stderr, e.g. "...libc.so.6: version `GLIBC_2.38' not found (...)". */
export function loaderMessage(stderr: string): string {
  const errorLine = stderr.split('\n').find((line) => /^\w*Error: /.test(line.trim()));
  const line = errorLine ?? stderr.trim().split('\n').pop() ?? '';
  return line.trim().replace(/^\w*Error: /, '').slice(0, 400) || 'no error output';
}

/** Loads `path` in a fresh node with LD_BIND_NOW=1; never throws. */
export function probeAddonLoads(path: string, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<LoadProbe> {
  const env: NodeJS.ProcessEnv = { ...process.env, LD_BIND_NOW: '1' };
  delete env['NODE_OPTIONS']; // a loader hook (tsx, vitest) would only slow the probe down
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, path], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    trackChild(child, 'jazzer addon load probe');
    const finish = (probe: LoadProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(probe);
    };
    const timer = setTimeout(
      () => finish({ loads: false, detail: `load probe timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => finish({ loads: false, detail: `cannot spawn node: ${error.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0 && stdout.startsWith('exports=')) finish({ loads: true, detail: `loaded (${stdout})` });
      else finish({ loads: false, detail: signal ? `probe killed by ${signal}` : loaderMessage(stderr) });
    });
  });
}

/** For the engine selector: does the installed addon load as it is? Never patches. */
export async function isJazzerLoadable(options: JazzerCompatOptions = {}): Promise<JazzerLoadability> {
  const addonPath = options.addonPath ?? resolveJazzerAddonPath();
  if (addonPath === null || !existsSync(addonPath)) {
    return { loadable: false, reason: '@jazzer.js/fuzzer prebuilt addon for this platform is not installed' };
  }
  const probe = await probeAddonLoads(addonPath, options.timeoutMs);
  return { loadable: probe.loads, reason: probe.loads ? `${addonPath} loads` : probe.detail };
}

async function writeFileSynced(path: string, data: Buffer, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function siblingTempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `data` to `target` via a synced temp file in the same directory and a rename. */
async function writeAtomically(target: string, data: Buffer, mode: number): Promise<void> {
  const temp = siblingTempPath(target);
  try {
    await writeFileSynced(temp, data, mode);
    await rename(temp, target);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Keeps the bytes we are about to replace as `<addon>.orig`, unless that exact copy is already kept. */
async function keepOriginal(addonPath: string, original: Buffer, mode: number): Promise<void> {
  const keptPath = addonPath + ORIGINAL_SUFFIX;
  const kept = await readFile(keptPath).catch(() => null);
  if (kept !== null && kept.equals(original)) return;
  // An older .orig that differs belongs to another build of the addon: the file we patch now is the original.
  await writeAtomically(keptPath, original, mode);
}

/** Patches `addonPath` in place if (and only if) the patched copy is proven to load. */
async function patchAndSwap(addonPath: string, options: JazzerCompatOptions, loadError: string): Promise<JazzerCompatResult> {
  const original = await readFile(addonPath);
  const refused = (reason: string): JazzerCompatResult => ({ status: 'refused', reason, addonPath });
  let libraries: string[];
  try {
    libraries = requiredLibraries(original);
  } catch (error) {
    return refused(`cannot parse the addon (${error instanceof Error ? error.message : String(error)}); load error: ${loadError}`);
  }
  const host = await detectHostVersions(libraries, options.hostDetection);
  const plan = planCompatPatch(original, host.versions);
  if (plan.kind === 'refused') return refused(`${plan.reason}; load error: ${loadError}`);
  if (plan.kind === 'nothing-to-do') {
    return refused(`the addon fails to load for a reason the ELF edit does not address (${plan.summary}): ${loadError}`);
  }
  const patched = applyCompatPatch(original, plan);
  const { mode } = await stat(addonPath);
  const temp = siblingTempPath(addonPath);
  try {
    await writeFileSynced(temp, patched, mode & 0o777);
    const probe = await probeAddonLoads(temp, options.timeoutMs);
    if (!probe.loads) return refused(`the patched copy still does not load: ${probe.detail}`);
    await keepOriginal(addonPath, original, mode & 0o777);
    await rename(temp, addonPath);
  } finally {
    await unlink(temp).catch(() => undefined); // gone after a successful rename
  }
  return { status: 'patched', reason: `${plan.summary}; original kept as ${basename(addonPath)}${ORIGINAL_SUFFIX}`, addonPath };
}

/** Makes the Jazzer.js addon loadable if it can be done safely; idempotent. Never throws. */
export async function ensureJazzerLoadable(options: JazzerCompatOptions = {}): Promise<JazzerCompatResult> {
  const addonPath = options.addonPath ?? resolveJazzerAddonPath();
  if (addonPath === null || !existsSync(addonPath)) {
    return { status: 'not-installed', reason: '@jazzer.js/fuzzer prebuilt addon for this platform is not installed', addonPath };
  }
  try {
    const probe = await probeAddonLoads(addonPath, options.timeoutMs);
    if (probe.loads) return { status: 'already-loads', reason: probe.detail, addonPath };
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      return { status: 'unsupported-platform', reason: `the ELF edit is for linux-x64 only: ${probe.detail}`, addonPath };
    }
    return await patchAndSwap(addonPath, options, probe.detail);
  } catch (error) {
    return { status: 'refused', reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, addonPath };
  }
}

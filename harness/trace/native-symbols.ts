/**
 * Names native user-space addresses (node binary, libc, libstdc++, addons) after a capture, so
 * bpftrace can run with BPFTRACE_NO_USER_SYMBOLS=1. I/O edge: reads /proc/<pid>/maps (or maps
 * texts captured earlier), the mapped ELF files, and runs `c++filt` once per call to demangle.
 *
 * Output matches what bpftrace prints, `symbol` demangled with its parameter list and `module`
 * the mapping's path, so frames.ts cleans both the same way. Addresses outside file-backed
 * executable mappings (JIT code, anonymous memory) are left out: symbolize.ts resolves those
 * from the perf map.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { trackChild } from '../core/process-registry.ts';
import { loadElfSymbols, lookupRuntimeAddress, type ElfSymbolTable } from './elf-symbols.ts';
import { findMapping, mergeExecutableFileMappings, type MemoryMapping } from './proc-maps.ts';
import { parseHexAddress } from './perf-map.ts';

export interface NativeSymbol {
  symbol: string;
  /** The mapping's path, e.g. `/usr/bin/node`. */
  module: string;
}

export interface NativeResolveStats {
  /** Unique addresses asked about. */
  addresses: number;
  /** Of those, inside a file-backed executable mapping. */
  inFileMappings: number;
  resolved: number;
  /** Modules whose symbols were read. */
  modules: number;
  /** Modules that could not be read or parsed, with why (their addresses stay unresolved). */
  moduleErrors: { module: string; error: string }[];
  /** Unique mangled names that c++filt demangled. */
  demangled: number;
  demangler: 'c++filt' | 'none';
  /** Why demangling was skipped or failed, when it was. */
  demanglerError?: string;
}

export interface NativeResolution {
  /** Keyed by the address string exactly as passed in. */
  names: Map<string, NativeSymbol>;
  stats: NativeResolveStats;
}

export interface ResolveNativeOptions {
  /** Default true. */
  demangle?: boolean;
  /** Demangler command (argv[0], no shell). Default `c++filt`. */
  demanglerCommand?: string;
  /** Kill the demangler after this long and keep mangled names. Default 10 000 ms. */
  demangleTimeoutMs?: number;
}

/** A live pid, one maps text, or several captures of the same process (start and stop). */
export type MapsSource = number | string | readonly string[];

async function mappingsOf(source: MapsSource): Promise<MemoryMapping[]> {
  if (typeof source === 'number') return mergeExecutableFileMappings([await readFile(`/proc/${source}/maps`, 'utf8')]);
  return mergeExecutableFileMappings(typeof source === 'string' ? [source] : source);
}

/** Mangled Itanium C++ names c++filt can take on one line each. */
const MANGLED = /^_Z[\x21-\x7e]+$/;

interface AddressInMapping {
  text: string;
  value: number;
  mapping: MemoryMapping;
}

/** Addresses grouped by the file mapped where they point; others (JIT, anon, unparsable) dropped. */
function groupByModule(mappings: readonly MemoryMapping[], addresses: readonly string[]): Map<string, AddressInMapping[]> {
  const byModule = new Map<string, AddressInMapping[]>();
  for (const text of addresses) {
    const value = parseHexAddress(text);
    const mapping = value === undefined ? undefined : findMapping(mappings, value);
    if (value === undefined || mapping === undefined) continue;
    const list = byModule.get(mapping.path) ?? [];
    list.push({ text, value, mapping });
    byModule.set(mapping.path, list);
  }
  return byModule;
}

/** Looks one module's addresses up; a module that cannot be read is reported, not thrown. */
async function lookUpModule(module: string, list: readonly AddressInMapping[], raw: Map<string, NativeSymbol>, stats: NativeResolveStats): Promise<void> {
  // A deleted mapping: the file at that path now is not the one that was mapped, its symbols would lie.
  if (list.some((a) => a.mapping.deleted)) {
    stats.moduleErrors.push({ module, error: 'the file was deleted or replaced after the target mapped it' });
    return;
  }
  let table: ElfSymbolTable;
  try {
    table = await loadElfSymbols(module);
  } catch (error) {
    stats.moduleErrors.push({ module, error: error instanceof Error ? error.message : String(error) });
    return;
  }
  stats.modules++;
  for (const { text, value, mapping } of list) {
    const hit = lookupRuntimeAddress(table, mapping, value);
    if (hit) raw.set(text, { symbol: hit.name, module });
  }
}

/**
 * Names the native addresses among `addresses` (hex as bpftrace prints them, `2150f83`), using
 * the target's live maps (pid) or maps texts captured earlier (merged, later captures win).
 */
export async function resolveNativeAddresses(
  source: MapsSource,
  addresses: readonly string[],
  options: ResolveNativeOptions = {},
): Promise<NativeResolution> {
  const unique = [...new Set(addresses)];
  const byModule = groupByModule(await mappingsOf(source), unique);
  const stats: NativeResolveStats = {
    addresses: unique.length,
    inFileMappings: [...byModule.values()].reduce((n, list) => n + list.length, 0),
    resolved: 0,
    modules: 0,
    moduleErrors: [],
    demangled: 0,
    demangler: 'none',
  };
  const raw = new Map<string, NativeSymbol>();
  for (const [module, list] of byModule) await lookUpModule(module, list, raw, stats);
  stats.resolved = raw.size;
  const names = await demangleAll(raw, options, stats);
  return { names, stats };
}

async function demangleAll(raw: Map<string, NativeSymbol>, options: ResolveNativeOptions, stats: NativeResolveStats): Promise<Map<string, NativeSymbol>> {
  if (options.demangle === false) {
    stats.demanglerError = 'demangling disabled';
    return raw;
  }
  const mangled = [...new Set([...raw.values()].map((s) => s.symbol).filter((name) => MANGLED.test(name)))];
  if (mangled.length === 0) return raw;
  const result = await demangleNames(mangled, options);
  stats.demangler = result.demangler;
  if (result.error !== undefined) stats.demanglerError = result.error;
  stats.demangled = [...result.names].filter(([from, to]) => from !== to).length;
  if (result.names.size === 0) return raw;
  const out = new Map<string, NativeSymbol>();
  for (const [address, symbol] of raw) out.set(address, { symbol: result.names.get(symbol.symbol) ?? symbol.symbol, module: symbol.module });
  return out;
}

export interface DemangleResult {
  /** mangled -> demangled; empty when the demangler was unavailable or failed. */
  names: Map<string, string>;
  demangler: 'c++filt' | 'none';
  error?: string;
}

/**
 * Demangles names in one `c++filt` run: one name per stdin line, one result per stdout line.
 * Names must not contain whitespace (MANGLED), so the lines cannot fall out of step.
 */
export function demangleNames(names: readonly string[], options: ResolveNativeOptions = {}): Promise<DemangleResult> {
  const command = options.demanglerCommand ?? 'c++filt';
  const timeoutMs = options.demangleTimeoutMs ?? 10_000;
  const safe = names.filter((name) => MANGLED.test(name));
  if (safe.length === 0) return Promise.resolve({ names: new Map(), demangler: 'c++filt' });
  // c++filt prints one line per name, each at most a few times the mangled length.
  const outputLimit = 4096 + safe.reduce((n, name) => n + 8 * name.length + 64, 0);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (result: DemangleResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const failed = (error: string): void => finish({ names: new Map(), demangler: 'none', error: `${command}: ${error}` });
    const child = spawn(command, [], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const untrack = trackChild(child, command);
    // Killed for cause: 'close' reports the cause once the child is really gone.
    let killedBecause: string | undefined;
    const kill = (because: string): void => {
      killedBecause ??= because;
      child.kill('SIGKILL');
    };
    timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
    const out: Buffer[] = [];
    let outBytes = 0;
    let errText = '';
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes <= outputLimit) out.push(chunk);
      else kill(`printed more than ${outputLimit} bytes for ${safe.length} names`);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errText.length < 2000) errText += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      untrack(); // A child that never started emits no 'exit'.
      failed(error.message);
    });
    child.stdin.on('error', () => {
      // EPIPE when the demangler died early: 'close' reports it.
    });
    child.on('close', (code, signal) => {
      if (killedBecause !== undefined) return failed(killedBecause);
      if (code !== 0) return failed(`exited with ${code ?? signal}${errText ? `: ${errText.trim()}` : ''}`);
      const lines = Buffer.concat(out).toString('utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      if (lines.length !== safe.length) return failed(`printed ${lines.length} lines for ${safe.length} names`);
      finish({ names: new Map(safe.map((name, i) => [name, lines[i] ?? name])), demangler: 'c++filt' });
    });
    child.stdin.end(`${safe.join('\n')}\n`);
  });
}

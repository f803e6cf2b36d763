import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackedChildCount } from '../core/process-registry.ts';
import { loadElfSymbols, symbolAt, symbolCount, findSymbolByName, type ElfSymbolTable } from './elf-symbols.ts';
import { demangleNames, resolveNativeAddresses } from './native-symbols.ts';
import { isExecutableFileMapping, parseProcMaps, type MemoryMapping } from './proc-maps.ts';

const NODE = process.execPath;
const cxxfiltAvailable = spawnSync('c++filt', ['--version']).status === 0;

let target: ChildProcess;
let targetMaps = '';
let nodeTable: ElfSymbolTable;

/** A busy `node -e` loop that says when it is running, so its maps include libc and node. */
function startTarget(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, ['-e', 'process.stdout.write("ready\\n"); let x = 0; for (;;) { x = (x + 1) % 1e9; }'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    child.stdout?.once('data', () => resolve(child));
  });
}

const hex = (address: number): string => address.toString(16);

/** First symbol whose mangled name starts with `prefix` (deterministic: address order). */
function firstSymbolWithPrefix(table: ElfSymbolTable, prefix: string) {
  for (let i = 0; i < symbolCount(table); i++) {
    const symbol = symbolAt(table, i);
    if (symbol?.name.startsWith(prefix)) return symbol;
  }
  return undefined;
}

function runtimeAddressOf(table: ElfSymbolTable, mapping: MemoryMapping, vaddr: number): number | undefined {
  const load = table.loads.find((l) => vaddr >= l.vaddr && vaddr < l.vaddr + l.fileSize);
  if (!load) return undefined;
  const address = vaddr - load.vaddr + load.fileOffset - mapping.offset + mapping.start;
  return address >= mapping.start && address < mapping.end ? address : undefined;
}

beforeAll(async () => {
  target = await startTarget();
  if (target.pid === undefined) throw new Error('target did not start');
  targetMaps = readFileSync(`/proc/${target.pid}/maps`, 'utf8');
  nodeTable = await loadElfSymbols(NODE);
});

afterAll(() => {
  target.kill('SIGKILL');
});

describe('resolveNativeAddresses against a live node process', () => {
  it('names node builtins and C++ functions, demangled like bpftrace prints them, with the module path', async () => {
    const entry = findSymbolByName(nodeTable, 'Builtins_JSEntry');
    const cpp = firstSymbolWithPrefix(nodeTable, '_ZN2v88internal');
    if (!entry || !cpp) return expect.fail('node lacks Builtins_JSEntry or v8::internal symbols');
    const entryAddress = hex(entry.start + 3);
    const cppAddress = hex(cpp.start + 1);
    const { names, stats } = await resolveNativeAddresses(target.pid ?? 0, [entryAddress, cppAddress, cppAddress, 'zz', '10']);
    expect(names.get(entryAddress)).toEqual({ symbol: 'Builtins_JSEntry', module: NODE });
    expect(names.get(cppAddress)?.module).toBe(NODE);
    expect(stats).toMatchObject({ addresses: 4, inFileMappings: 2, resolved: 2, modules: 1, moduleErrors: [] });
    if (cxxfiltAvailable) {
      expect(names.get(cppAddress)?.symbol).toMatch(/^v8::internal::/);
      expect(stats).toMatchObject({ demangler: 'c++filt', demangled: 1 });
    } else {
      expect(names.get(cppAddress)?.symbol).toBe(cpp.name);
    }
    expect(names.has('zz')).toBe(false);
    expect(names.has('10')).toBe(false);
    expect(trackedChildCount()).toBe(0);
  });

  it('names libc functions at the target\'s relocated addresses, from maps captured before the target exited', async () => {
    const libc = parseProcMaps(targetMaps).filter(isExecutableFileMapping).find((m) => /\/libc[.-][^/]*so/.test(m.path));
    if (!libc) return;
    const table = await loadElfSymbols(libc.path);
    const expected = new Map<string, string>();
    for (let i = 0; i < symbolCount(table) && expected.size < 10; i += 53) {
      const symbol = symbolAt(table, i);
      const address = symbol && runtimeAddressOf(table, libc, symbol.start + 2);
      if (symbol && address !== undefined && !symbol.name.startsWith('_Z')) expected.set(hex(address), symbol.name);
    }
    const anonymous = parseProcMaps(targetMaps).find((m) => m.path === '' || m.path === '[heap]');
    const addresses = [...expected.keys(), ...(anonymous ? [hex(anonymous.start)] : [])];
    const { names, stats } = await resolveNativeAddresses([targetMaps], addresses);
    expect(expected.size).toBeGreaterThan(3);
    for (const [address, name] of expected) expect(names.get(address)).toEqual({ symbol: name, module: libc.path });
    expect(names.size).toBe(expected.size);
    expect(stats.inFileMappings).toBe(expected.size);
  });

  it('merges maps captured at start and stop', async () => {
    const entry = findSymbolByName(nodeTable, 'Builtins_JSEntry');
    if (!entry) return expect.fail('no Builtins_JSEntry');
    const nodeOnly = targetMaps.split('\n').filter((line) => line.endsWith(NODE)).join('\n');
    const { names } = await resolveNativeAddresses(['', nodeOnly], [hex(entry.start)]);
    expect(names.get(hex(entry.start))?.symbol).toBe('Builtins_JSEntry');
  });

  it('keeps mangled names and says so when the demangler is missing', async () => {
    const cpp = firstSymbolWithPrefix(nodeTable, '_ZN2v88internal');
    if (!cpp) return expect.fail('no v8::internal symbol');
    const { names, stats } = await resolveNativeAddresses(targetMaps, [hex(cpp.start)], { demanglerCommand: '/nonexistent/c++filt' });
    expect(names.get(hex(cpp.start))?.symbol).toBe(cpp.name);
    expect(stats.demangler).toBe('none');
    expect(stats.demanglerError).toContain('/nonexistent/c++filt');
  });

  it('reports a module it cannot read instead of failing the whole call', async () => {
    const maps = '7f0000000000-7f0000010000 r-xp 00000000 fe:00 1 /nonexistent/lib.so';
    const { names, stats } = await resolveNativeAddresses(maps, ['7f0000000010']);
    expect(names.size).toBe(0);
    expect(stats.moduleErrors).toHaveLength(1);
    expect(stats.moduleErrors[0]?.module).toBe('/nonexistent/lib.so');
  });
});

describe('demangleNames', () => {
  it.skipIf(!cxxfiltAvailable)('demangles a batch in one c++filt run and skips names that could break the line protocol', async () => {
    const result = await demangleNames(['_ZN2v88internal7Isolate4InitEv', '_Z3fooi', 'has space', 'plain']);
    expect(result.demangler).toBe('c++filt');
    expect(result.names.get('_ZN2v88internal7Isolate4InitEv')).toBe('v8::internal::Isolate::Init()');
    expect(result.names.get('_Z3fooi')).toBe('foo(int)');
    expect(result.names.has('has space')).toBe(false);
    expect(result.names.has('plain')).toBe(false);
  });

  it('treats a demangler that fails as none', async () => {
    const result = await demangleNames(['_Z3fooi'], { demanglerCommand: 'false' });
    expect(result).toMatchObject({ demangler: 'none', names: new Map() });
    expect(result.error).toMatch(/exited with 1/);
  });
});

describe('deleted mappings', () => {
  it('does not name addresses in a file that was replaced after it was mapped', async () => {
    const maps = `00b72000-025fe000 r-xp 00772000 fe:00 1 ${NODE} (deleted)`;
    const { names, stats } = await resolveNativeAddresses(maps, ['b72010']);
    expect(names.size).toBe(0);
    expect(stats.moduleErrors).toEqual([{ module: NODE, error: expect.stringContaining('deleted') }]);
  });
});

describe('demangler output guard', () => {
  it('stops a demangler that prints without end and keeps mangled names', async () => {
    const result = await demangleNames(['_Z3fooi'], { demanglerCommand: 'yes' });
    expect(result).toMatchObject({ demangler: 'none', names: new Map() });
    expect(result.error).toMatch(/printed more than/);
    expect(trackedChildCount()).toBe(0);
  });
});

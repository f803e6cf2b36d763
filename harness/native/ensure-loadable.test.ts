import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElf } from './elf.ts';
import { detectHostVersions } from './host-versions.ts';
import { ensureJazzerLoadable, isJazzerLoadable, loaderMessage, probeAddonLoads } from './ensure-loadable.ts';
import { pristineAddon } from '../../test/support/jazzer-elf.ts';

const addon = pristineAddon();
const hostLibc = (await detectHostVersions(['libc.so.6'])).versions.get('libc.so.6');
/** The situation the compat step exists for (Debian 12, Ubuntu 22.04): the shipped addon cannot load. */
const hostIsTooOld = process.platform === 'linux' && process.arch === 'x64' && hostLibc?.has('GLIBC_2.38') === false;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jazzer-compat-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshCopy(name: string, bytes: Buffer = addon): string {
  const sub = mkdtempSync(join(dir, `${name}-`));
  const path = join(sub, 'fuzzer-linux-x64.node');
  writeFileSync(path, bytes);
  return path;
}

function leftoverTempFiles(addonPath: string): string[] {
  return readdirSync(dirname(addonPath)).filter((f) => f.endsWith('.tmp'));
}

describe('loaderMessage', () => {
  it('extracts the dlopen error line from node stderr', () => {
    const stderr = [
      'node:internal/modules/cjs/loader:1661',
      '  return process.dlopen(module, path.toNamespacedPath(filename));',
      "Error: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /x/a.node)",
      '    at Module._extensions..node (node:internal/modules/cjs/loader:1661:18)',
    ].join('\n');
    expect(loaderMessage(stderr)).toBe("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /x/a.node)");
  });
});

describe('ensureJazzerLoadable edge cases', () => {
  it('reports not-installed for a missing addon', async () => {
    const result = await ensureJazzerLoadable({ addonPath: join(dir, 'nope', 'fuzzer-linux-x64.node') });
    expect(result.status).toBe('not-installed');
    expect((await isJazzerLoadable({ addonPath: join(dir, 'nope.node') })).loadable).toBe(false);
  });
});

describe.skipIf(!hostIsTooOld)('ensureJazzerLoadable end to end on a copy (host glibc < 2.38)', () => {
  it('the shipped addon does not load here, for the GLIBC_2.38 reason', async () => {
    const probe = await probeAddonLoads(freshCopy('unpatched'));
    expect(probe.loads).toBe(false);
    expect(probe.detail).toMatch(/GLIBC_2\.38/);
  });

  it('patches, keeps the original, verifies the swap, then is idempotent', async () => {
    const path = freshCopy('patch');
    const first = await ensureJazzerLoadable({ addonPath: path });
    expect(first.status).toBe('patched');
    expect(first.reason).toMatch(/__isoc23_strtol@GLIBC_2\.38 -> strtol@GLIBC_2\.2\.5/);
    expect(readFileSync(`${path}.orig`).equals(addon)).toBe(true);
    expect(readFileSync(path).equals(addon)).toBe(false);
    expect(parseElf(readFileSync(path)).dynamicSymbols.some((s) => s.name.startsWith('__isoc23_'))).toBe(false);
    expect(await probeAddonLoads(path)).toMatchObject({ loads: true });
    expect(leftoverTempFiles(path)).toEqual([]);

    const second = await ensureJazzerLoadable({ addonPath: path });
    expect(second.status).toBe('already-loads');
    expect(readFileSync(`${path}.orig`).equals(addon)).toBe(true);
  });

  it('refuses and leaves the file alone when another too-new symbol is relocated', async () => {
    const edited = Buffer.from(addon);
    const elf = parseElf(edited);
    const symbol = elf.dynamicSymbols.find((s) => s.name === '__isoc23_strtoul');
    const dynstr = elf.sections.find((s) => s.name === '.dynstr');
    if (!symbol || !dynstr) throw new Error('fixture');
    edited.write('__isoc23_sscanf\0', dynstr.offset + symbol.nameOffset, 'latin1');
    const path = freshCopy('refuse', edited);
    const result = await ensureJazzerLoadable({ addonPath: path });
    expect(result.status).toBe('refused');
    expect(result.reason).toMatch(/__isoc23_sscanf@GLIBC_2\.38/);
    expect(readFileSync(path).equals(edited)).toBe(true);
    expect(existsSync(`${path}.orig`)).toBe(false);
    expect(leftoverTempFiles(path)).toEqual([]);
  });
});

interface RunResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs node with `args` in `cwd`, SIGKILL on timeout (Jazzer's --sync mode ignores SIGTERM). */
function runNode(args: readonly string[], cwd: string, timeoutMs = 30_000): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const jazzerCoreDir = dirname(createRequire(import.meta.url).resolve('@jazzer.js/core/package.json'));

describe('the installed addon, made loadable by the install step, fuzzes', () => {
  let work = '';
  beforeAll(async () => {
    const result = await ensureJazzerLoadable();
    expect(['already-loads', 'patched']).toContain(result.status);
    work = mkdtempSync(join(dir, 'fuzz-'));
  });

  it('isJazzerLoadable agrees and a second ensure is a no-op', async () => {
    expect(await isJazzerLoadable()).toMatchObject({ loadable: true });
    expect((await ensureJazzerLoadable()).status).toBe('already-loads');
  });

  it('the jazzer CLI runs 2000 inputs through a fuzz target (exit 0)', async () => {
    const target = join(work, 'target.cjs');
    writeFileSync(
      target,
      "module.exports.fuzz = (data) => { const s = data.toString('latin1'); if (s.startsWith('{') && s.length > 3) return s.length; return 0; };\n",
    );
    const run = await runNode([join(jazzerCoreDir, 'dist', 'cli.js'), target, '--sync', '--', '-runs=2000', '-seed=1'], work);
    expect(run.output).toMatch(/#2000\s+DONE/);
    expect(run.output).toMatch(/Done 2000 runs/);
    expect(run.code).toBe(0);
  });

  it('a finding exits with 77 and writes the crashing input', async () => {
    const target = join(work, 'finding.cjs');
    writeFileSync(target, "module.exports.fuzz = (data) => { if (data[0] === 0x41) throw new Error('found A'); };\n");
    const artifacts = mkdtempSync(join(work, 'artifacts-'));
    const run = await runNode(
      [join(jazzerCoreDir, 'dist', 'cli.js'), target, '--sync', '--', '-runs=200000', '-seed=1', `-artifact_prefix=${artifacts}/`],
      work,
    );
    expect(run.code).toBe(77);
    expect(run.output).toMatch(/found A/);
    const crashes = readdirSync(artifacts).filter((f) => f.startsWith('crash-'));
    expect(crashes.length).toBe(1);
    expect(readFileSync(join(artifacts, crashes[0]!))[0]).toBe(0x41);
  });

  it('the programmatic API (startFuzzingNoInit) calls the target for every run', async () => {
    const script = join(work, 'programmatic.cjs');
    writeFileSync(
      script,
      [
        `const core = require(${JSON.stringify(jazzerCoreDir)});`,
        'const options = new core.OptionsManager(core.OptionSource.DefaultCLIOptions)',
        "  .merge({ sync: true, fuzzerOptions: ['-runs=5000', '-seed=7'] }, core.OptionSource.CommandLineArguments);",
        'core.registerGlobals(options);',
        'let calls = 0;',
        'const fn = core.asFindingAwareFuzzFn((data) => { calls += 1; return data.length; });',
        "core.startFuzzingNoInit(fn, options).then((r) => console.log('RESULT ' + JSON.stringify({ code: r.returnCode, calls })));",
      ].join('\n'),
    );
    const run = await runNode([script], work);
    const line = /RESULT (\{.*\})/.exec(run.output)?.[1];
    expect(line, run.output).toBeDefined();
    const result = JSON.parse(line ?? '{}') as { code: number; calls: number };
    expect(result.code).toBe(0);
    expect(result.calls).toBeGreaterThanOrEqual(5000);
  });
});

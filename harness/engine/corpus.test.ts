import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CorpusStore, contentId, readViolation, type ViolationFields } from './corpus.ts';

// A crash between writing the temporary file and renaming it over the destination is
// simulated by failing `rename`; a crash while writing, by failing the data write.
const faults = vi.hoisted(() => ({ failRename: false, failWrite: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (faults.failRename) throw Object.assign(new Error('EIO: simulated crash before rename'), { code: 'EIO' });
      return actual.rename(from, to);
    },
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      if (!faults.failWrite) return handle;
      // Half the data reaches the disk, then the "process dies".
      return Object.assign(Object.create(handle) as typeof handle, {
        writeFile: async (data: string | Uint8Array) => {
          await handle.writeFile(typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
          throw new Error('simulated crash while writing');
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      });
    },
  };
});

function fields(overrides: Partial<ViolationFields> = {}): ViolationFields {
  return {
    scenario: 's',
    scenarioFile: '../../../scenarios/s.scenario.ts',
    scenarioIndex: 0,
    kind: 'slow',
    latencyMs: 80,
    budgetMs: 50,
    timeoutMs: 2000,
    seed: 1,
    engine: 'builtin',
    encoding: 'utf8',
    message: null,
    stack: null,
    foundAt: '2026-01-01T00:00:00.000Z',
    replay: 'npx slo-harness replay x.json',
    ...overrides,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'corpus-test-'));
  faults.failRename = false;
  faults.failWrite = false;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

describe('CorpusStore violations', () => {
  it('saves input then metadata, and reads them back', async () => {
    const store = new CorpusStore(dir);
    const saved = await store.saveViolation(bytes('((((x))))'), fields());
    expect(saved.id).toBe(contentId(bytes('((((x))))')));
    const { record, input } = await readViolation(saved.metaFile);
    expect(Buffer.from(input).toString()).toBe('((((x))))');
    expect(record.inputSize).toBe(9);
    expect(await store.listViolations()).toEqual([saved.metaFile]);
  });

  it('a crash before the rename leaves neither a partial file nor a temporary one', async () => {
    const store = new CorpusStore(dir);
    faults.failRename = true;
    await expect(store.saveViolation(bytes('abc'), fields())).rejects.toThrow(/simulated crash|EIO/);
    expect(await readdir(store.violationsDir)).toEqual([]);
    expect(await store.listViolations()).toEqual([]);
  });

  it('a crash while writing never touches the destination: the old record stays whole', async () => {
    const store = new CorpusStore(dir);
    const first = await store.saveViolation(bytes('abc'), fields({ latencyMs: 1 }));
    faults.failWrite = true;
    await expect(store.updateViolation(first.id, { latencyMs: 2 })).rejects.toThrow(/simulated crash/);
    faults.failWrite = false;
    const { record } = await readViolation(first.metaFile);
    expect(record.latencyMs).toBe(1);
    // The half-written temporary file is a dotfile: never listed, never loaded as a seed.
    expect(await store.listViolations()).toEqual([first.metaFile]);
    expect(await store.loadSeeds('utf8')).toEqual([]);
  });

  it('concurrent saves of the same id end with one complete record and no temporary files', async () => {
    const store = new CorpusStore(dir);
    const input = bytes('same input');
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.saveViolation(input, fields({ latencyMs: 100 + i }))));
    const names = await readdir(store.violationsDir);
    const id = contentId(input);
    expect(names.sort()).toEqual([`${id}.input`, `${id}.json`]);
    const { record } = await readViolation(store.violationMetaFile(id));
    expect(record.latencyMs).toBeGreaterThanOrEqual(100);
    expect(record.latencyMs).toBeLessThan(120);
    expect(await readFile(store.violationInputFile(id), 'utf8')).toBe('same input');
  });

  it('updateViolation patches metadata only', async () => {
    const store = new CorpusStore(dir);
    const saved = await store.saveViolation(bytes('orig'), fields());
    await store.updateViolation(saved.id, { minimisedTo: 'abc', firstCallLatenciesMs: [60, 70, 80] });
    const { record, input } = await readViolation(saved.metaFile);
    expect(record.minimisedTo).toBe('abc');
    expect(record.firstCallLatenciesMs).toEqual([60, 70, 80]);
    expect(record.kind).toBe('slow');
    expect(Buffer.from(input).toString()).toBe('orig');
  });

  it('demoteViolation moves an unconfirmed violation to interesting/ (nothing lost)', async () => {
    const store = new CorpusStore(dir);
    const saved = await store.saveViolation(bytes('flaky'), fields());
    await store.demoteViolation(saved.id, bytes('flaky'));
    expect(await store.listViolations()).toEqual([]);
    expect(await readdir(store.violationsDir)).toEqual([]);
    const seeds = await store.loadSeeds('utf8');
    expect(seeds.map((s) => Buffer.from(s).toString())).toEqual(['flaky']);
  });
});

describe('CorpusStore: a violation found again', () => {
  it('keeps what earlier runs established (first sighting, confirmation, links)', async () => {
    const store = new CorpusStore(dir);
    const input = bytes('found twice');
    const first = await store.saveViolation(input, fields({ foundAt: '2026-01-01T00:00:00.000Z' }));
    await store.updateViolation(first.id, { firstCallLatenciesMs: [90, 95, 99], minimisedTo: 'smaller' });
    await store.saveViolation(input, fields({ foundAt: '2026-02-02T00:00:00.000Z', latencyMs: 61 }));
    const { record } = await readViolation(first.metaFile);
    expect(record.foundAt).toBe('2026-01-01T00:00:00.000Z');
    expect(record.latencyMs).toBe(61);
    expect(record.minimisedTo).toBe('smaller');
    expect(record.firstCallLatenciesMs).toEqual([90, 95, 99]);
    expect(await store.wasConfirmed(first.id)).toBe(true);
  });
});

describe('CorpusStore seeds', () => {
  it('replays seeds, then only the newest interesting inputs up to the cap', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'slo-corpus-cap-'));
    try {
      const store = new CorpusStore(dir);
      await writeFile(path.join(dir, 'seed-a'), 'seed');
      const old = await store.saveInteresting(new TextEncoder().encode('old'));
      await utimes(old, new Date(1_000_000), new Date(1_000_000));
      await store.saveInteresting(new TextEncoder().encode('new-1'));
      await store.saveInteresting(new TextEncoder().encode('new-2'));
      const seeds = (await store.loadSeeds('utf8', 2)).map((b) => new TextDecoder().decode(b));
      expect(seeds[0]).toBe('seed');
      expect(seeds.slice(1).sort()).toEqual(['new-1', 'new-2']);
      // Nothing is deleted: the old entry is still on disk, only not replayed.
      expect(await readdir(path.join(dir, 'interesting'))).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('CorpusStore: hostile corpora', () => {
  const outsideDir = async (): Promise<string> => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'corpus-outside-'));
    await writeFile(path.join(out, 'secret'), 'SECRET');
    return out;
  };

  it('skips seeds that leave the corpus, special files and broken JSON seeds, with a warning naming each', async () => {
    const out = await outsideDir();
    try {
      const warnings: string[] = [];
      const store = new CorpusStore(dir, { warn: (line) => warnings.push(line) });
      await writeFile(path.join(dir, 'good.json'), '[1,2]');
      await writeFile(path.join(dir, 'truncated.json'), '[1, 2, {"a": ');
      await symlink(path.join(out, 'secret'), path.join(dir, 'leak'));
      execFileSync('mkfifo', [path.join(dir, 'pipe')]);
      const seeds = await store.loadSeeds('v8');
      expect(seeds).toHaveLength(1);
      expect(warnings.join('\n')).toMatch(/truncated\.json skipped: it is not valid JSON/);
      expect(warnings.join('\n')).toMatch(/leak skipped: it is a symlink that leads outside/);
      expect(warnings.join('\n')).toMatch(/pipe skipped: it is not a regular file/);
      expect(warnings.join('\n')).not.toContain('SECRET');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses records whose inputFile is a path, and a violations/ folder that is a symlink out', async () => {
    const out = await outsideDir();
    try {
      const store = new CorpusStore(dir);
      const saved = await store.saveViolation(bytes('x'), fields());
      const record = JSON.parse(await readFile(saved.metaFile, 'utf8')) as Record<string, unknown>;
      for (const inputFile of [path.join(out, 'secret'), '../../secret', 'a/b']) {
        await writeFile(saved.metaFile, JSON.stringify({ ...record, inputFile }));
        await expect(readViolation(saved.metaFile)).rejects.toThrow(/field inputFile: .*plain file name[\s\S]*fix:/);
      }
      await rm(store.violationsDir, { recursive: true });
      await symlink(out, store.violationsDir);
      await expect(store.listViolations()).rejects.toThrow(/symlink that leads outside/);
      await expect(store.saveViolation(bytes('y'), fields())).rejects.toThrow(/symlink that leads outside/);
      expect(await readdir(out)).toEqual(['secret']);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('validates records: non-finite or huge numbers, wrong types and broken JSON name the field', async () => {
    const store = new CorpusStore(dir);
    const saved = await store.saveViolation(bytes('x'), fields());
    const text = await readFile(saved.metaFile, 'utf8');
    await writeFile(saved.metaFile, text.replace('"latencyMs": 80', '"latencyMs": 1e999'));
    await expect(readViolation(saved.metaFile)).rejects.toThrow(/invalid violation file .*: field latencyMs: /);
    await writeFile(saved.metaFile, text.replace('"latencyMs": 80', '"latencyMs": 1e300'));
    await expect(readViolation(saved.metaFile)).rejects.toThrow(/field latencyMs: /);
    await writeFile(saved.metaFile, text.replace('"kind": "slow"', '"kind": 3'));
    await expect(readViolation(saved.metaFile)).rejects.toThrow(/field kind: /);
    await writeFile(saved.metaFile, text.slice(0, 40));
    await expect(readViolation(saved.metaFile)).rejects.toThrow(/not valid JSON[\s\S]*fix: /);
  });
});

describe('CorpusStore: two runs sharing one corpus', () => {
  it('a run never demotes a record another live run wrote; the last owner to give up demotes it', async () => {
    const run1 = new CorpusStore(dir, { owner: 'run-1' });
    const run2 = new CorpusStore(dir, { owner: 'run-2' });
    const input = bytes('found by both');
    const { id, metaFile } = await run1.saveViolation(input, fields());
    await run2.saveViolation(input, fields({ latencyMs: 90 }));
    expect((await readViolation(metaFile)).record.owners?.map((o) => o.token)).toEqual(['run-1', 'run-2']);
    await run2.demoteViolation(id, input);
    // Still there for run 1, which may confirm and report it.
    expect((await readViolation(metaFile)).record.owners?.map((o) => o.token)).toEqual(['run-1']);
    await run1.updateViolation(id, { minimiseMs: 5 });
    await run1.demoteViolation(id, input);
    expect(await run1.listViolations()).toEqual([]);
    expect((await run1.loadSeeds('utf8')).map((s) => Buffer.from(s).toString())).toEqual(['found by both']);
  });

  it('a record confirmed by any run is never demoted', async () => {
    const run1 = new CorpusStore(dir, { owner: 'run-1' });
    const run2 = new CorpusStore(dir, { owner: 'run-2' });
    const input = bytes('confirmed');
    const { id } = await run2.saveViolation(input, fields());
    await run1.saveViolation(input, fields());
    await run1.updateViolation(id, { firstCallLatenciesMs: [90, 91, 92] });
    await run2.demoteViolation(id, input);
    await run1.demoteViolation(id, input);
    expect(await run1.listViolations()).toHaveLength(1);
  });

  it('owners that are gone (dead pid on this host) do not keep a record', async () => {
    const store = new CorpusStore(dir, { owner: 'me' });
    const input = bytes('orphaned owner');
    const { id, metaFile } = await store.saveViolation(input, fields());
    const record = JSON.parse(await readFile(metaFile, 'utf8')) as { owners: Array<Record<string, unknown>> };
    const gone = { token: 'crashed-run', pid: 2 ** 22 + 1, hostname: os.hostname(), since: new Date().toISOString() };
    await writeFile(metaFile, JSON.stringify({ ...record, owners: [gone, ...record.owners] }));
    await store.demoteViolation(id, input);
    expect(await store.listViolations()).toEqual([]);
  });

  it('a caller spreading a whole record cannot overwrite the owners or the input name', async () => {
    const store = new CorpusStore(dir, { owner: 'me' });
    const { record } = await store.saveViolation(bytes('a'), fields());
    const { id, inputFile, schema: _s, version: _v, inputSize: _z, ...rest } = record;
    const again = await store.saveViolation(bytes('b'), { ...rest, owners: [{ token: 'forged', pid: 1, hostname: 'x', since: '' }] } as ViolationFields);
    expect(again.record.owners?.map((o) => o.token)).toEqual(['me']);
    expect(again.record.inputFile).not.toBe(inputFile);
    expect(again.id).not.toBe(id);
  });
});

describe('CorpusStore: a corpus folder symlinked out of the project', () => {
  it('is neither read nor written in the default layout <project>/corpora/<scenario>', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'corpus-elsewhere-'));
    try {
      await writeFile(path.join(outside, 'passwd'), 'SECRET');
      await mkdir(path.join(dir, 'corpora'));
      await symlink(outside, path.join(dir, 'corpora/s'));
      const warnings: string[] = [];
      const store = new CorpusStore(path.join(dir, 'corpora/s'), { warn: (line) => warnings.push(line) });
      expect(await store.loadSeeds('utf8')).toEqual([]);
      expect(warnings.join('\n')).toMatch(/corpora\/s skipped: .*symlink that leads outside/);
      await expect(store.listViolations()).resolves.toEqual([]);
      await expect(store.saveViolation(bytes('x'), fields())).rejects.toThrow(/symlink that leads outside/);
      await expect(store.saveInteresting(bytes('x'))).rejects.toThrow(/symlink that leads outside/);
      expect(await readdir(outside)).toEqual(['passwd']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

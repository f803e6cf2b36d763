import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, WriteError, writeFilesAtomic, writeJsonAtomic } from './atomic-file.ts';
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from '../../test/support/io-faults.ts';

const ROOT = path.resolve(import.meta.dirname, '../../test-output');
const skip = tmpfsSkipReason();

async function tempsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
}

describe('writeFileAtomic on a working disk', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(await ensure(ROOT), 'atomic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the folder, replaces the content and leaves no temporary file', async () => {
    const file = path.join(dir, 'a', 'b', 'x.json');
    await writeJsonAtomic(file, { n: 1 });
    await writeFileAtomic(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect(await tempsIn(path.dirname(file))).toEqual([]);
  });

  it('names the destination and the code when the folder cannot exist (a file is in the way)', async () => {
    await writeFile(path.join(dir, 'plain'), 'x');
    const error = await writeFileAtomic(path.join(dir, 'plain', 'x.json'), 'y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect(error).toMatchObject({ path: path.join(dir, 'plain', 'x.json'), code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
    expect((error as Error).message).toContain(path.join(dir, 'plain', 'x.json'));
  });
});

describe.skipIf(skip !== null)(`writeFileAtomic on a full or read-only tmpfs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fs: Tmpfs;
  beforeAll(async () => {
    fs = mountTmpfs(await mkdtemp(path.join(await ensure(ROOT), 'atomic-tmpfs-')), 64);
  });
  afterAll(async () => {
    fs?.unmount();
    await rm(fs.dir, { recursive: true, force: true });
  });

  it('on a full disk: throws ENOSPC naming the file, keeps the old content, removes the temporary file', async () => {
    const file = path.join(fs.dir, 'keep.txt');
    await writeFileAtomic(file, 'old content');
    fs.fillLeaving(4096);
    const error = await writeFileAtomic(file, Buffer.alloc(40_000, 0x61)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect(error).toMatchObject({ path: file, code: 'ENOSPC' });
    expect((error as Error).message).toBe(`cannot write ${file}: no space left on device (ENOSPC)`);
    expect(await readFile(file, 'utf8')).toBe('old content');
    expect(await tempsIn(fs.dir)).toEqual([]);
    // What still fits is still written.
    await writeFileAtomic(path.join(fs.dir, 'small.txt'), 'fits');
    expect(await readFile(path.join(fs.dir, 'small.txt'), 'utf8')).toBe('fits');
    await rm(path.join(fs.dir, '.filler'));
  });

  it('a set of files on a full disk: none is replaced, every temporary file is removed', async () => {
    const files = ['results.json', 'index.html', 'junit.xml'].map((n) => path.join(fs.dir, 'set', n));
    await writeFilesAtomic(files.map((file) => ({ file, data: `old ${path.basename(file)}` })));
    fs.fillLeaving(8192);
    const error = await writeFilesAtomic(files.map((file, i) => ({ file, data: Buffer.alloc(i === 1 ? 30_000 : 100, 0x62) }))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ENOSPC', replaced: [] });
    for (const file of files) expect(await readFile(file, 'utf8')).toBe(`old ${path.basename(file)}`);
    expect(await tempsIn(path.join(fs.dir, 'set'))).toEqual([]);
    await rm(path.join(fs.dir, '.filler'));
  });

  it('on a read-only disk: throws EROFS for a new file and for a new folder', async () => {
    fs.setReadOnly(true);
    try {
      await expect(writeFileAtomic(path.join(fs.dir, 'new.txt'), 'x')).rejects.toMatchObject({ code: 'EROFS', path: path.join(fs.dir, 'new.txt') });
      await expect(writeJsonAtomic(path.join(fs.dir, 'sub', 'new.json'), {})).rejects.toMatchObject({ code: 'EROFS' });
    } finally {
      fs.setReadOnly(false);
    }
    expect(await tempsIn(fs.dir)).toEqual([]);
  });
});

async function ensure(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

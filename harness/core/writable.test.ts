import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from '../../test/support/io-faults.ts';
import { checkCorpusFolder, checkReportFolder, checkRunFolders, NotWritableError } from './writable.ts';

const ROOT = path.resolve(import.meta.dirname, '../../test-output');
const skip = tmpfsSkipReason();

const scenario = (name: string, corpusDir: string) => ({ name, file: path.join(ROOT, 'scenarios', `${name}.scenario.ts`), input: { corpusDir } });

describe('pre-flight checks on a working disk', () => {
  let dir = '';
  beforeAll(async () => {
    await mkdir(ROOT, { recursive: true });
    dir = await mkdtemp(path.join(ROOT, 'writable-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the report folder and leaves no probe file in it', async () => {
    const out = path.join(dir, 'reports', 'nightly');
    await checkReportFolder(out);
    expect(await readdir(out)).toEqual([]);
  });

  it('leaves no trace of a corpus folder that did not exist yet', async () => {
    const corpus = path.join(dir, 'corpora', 'new-scenario');
    await checkRunFolders(path.join(dir, 'out'), [scenario('new-scenario', corpus)], { corpora: true });
    await expect(stat(path.join(dir, 'corpora'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a corpus path that is a file, naming the scenario, the folder and the fix', async () => {
    await writeFile(path.join(dir, 'not-a-folder'), 'x');
    const error = await checkCorpusFolder(scenario('filey', path.join(dir, 'not-a-folder')), dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotWritableError);
    expect((error as Error).message).toMatch(/^corpus folder not-a-folder of scenario filey .* is not writable: .*\n {2}fix: make not-a-folder writable .*set input\.corpus in/);
  });
});

describe.skipIf(skip !== null)(`pre-flight checks on a read-only or full tmpfs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fs: Tmpfs;
  beforeAll(async () => {
    fs = mountTmpfs(await mkdtemp(path.join(ROOT, 'writable-tmpfs-')), 64);
    await mkdir(path.join(fs.dir, 'corpus', 'violations'), { recursive: true });
  });
  afterAll(async () => {
    fs?.unmount();
    await rm(fs.dir, { recursive: true, force: true });
  });

  it('a read-only --out: EROFS, named, with the fix', async () => {
    fs.setReadOnly(true);
    try {
      const error = await checkReportFolder(path.join(fs.dir, 'out'), fs.dir).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'EROFS', folder: path.join(fs.dir, 'out') });
      expect((error as Error).message).toBe('report folder out (--out) is not writable: read-only file system (EROFS)\n  fix: pass --out a folder on a writable disk with free space, or make out writable');
      await expect(checkCorpusFolder(scenario('ro', path.join(fs.dir, 'corpus')), fs.dir)).rejects.toMatchObject({ code: 'EROFS', folder: path.join(fs.dir, 'corpus') });
    } finally {
      fs.setReadOnly(false);
    }
  });

  it('a full disk: ENOSPC for the corpus folder', async () => {
    fs.fillLeaving(0);
    try {
      await expect(checkCorpusFolder(scenario('full', path.join(fs.dir, 'corpus')), fs.dir)).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      await rm(path.join(fs.dir, '.filler'));
    }
    await checkCorpusFolder(scenario('full', path.join(fs.dir, 'corpus')), fs.dir);
    expect(await readdir(path.join(fs.dir, 'corpus', 'violations'))).toEqual([]);
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyEntry, containedFolder, ContainmentError, isInside, isPlainFileName, readContainedFile, resolveInside } from './contain.ts';

let root: string;
let folder: string;
let outside: string;
const source = { dataFile: 'rec.json', field: 'inputFile' };

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'contain-'));
  folder = path.join(root, 'corpus');
  outside = path.join(root, 'outside');
  await mkdir(folder);
  await mkdir(outside);
  await writeFile(path.join(folder, 'ok.input'), 'inside');
  await writeFile(path.join(outside, 'secret'), 'secret');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('isPlainFileName / isInside', () => {
  it('accepts names without a folder part only', () => {
    expect(isPlainFileName('abc.input')).toBe(true);
    for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', '/etc/passwd', 'x\0y', 'x'.repeat(256)]) expect(isPlainFileName(bad), bad).toBe(false);
  });

  it('judges paths below a folder, not by prefix', () => {
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/b/c/d')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
    expect(isInside('/a/b', '/a/b/../c')).toBe(false);
    expect(isInside('/a/b', '/a/b/..data')).toBe(true);
  });
});

describe('resolveInside / readContainedFile', () => {
  it('reads a plain name inside the folder', async () => {
    expect(Buffer.from(await readContainedFile(folder, 'ok.input', source)).toString()).toBe('inside');
  });

  it('refuses traversal, absolute paths and separators, naming the data file and the field', async () => {
    for (const name of ['../outside/secret', '/etc/passwd', 'sub/x']) {
      const error = await readContainedFile(folder, name, source).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContainmentError);
      expect((error as ContainmentError).message).toMatch(/^rec\.json: field inputFile: .*not a plain file name/);
    }
    await expect(resolveInside(folder, '../outside/secret', source)).rejects.toThrow(/leads outside/);
  });

  it('refuses a symlink that leads out, after resolving it', async () => {
    await symlink(path.join(outside, 'secret'), path.join(folder, 'link.input'));
    await expect(readContainedFile(folder, 'link.input', source)).rejects.toThrow(/rec\.json: field inputFile: "link\.input" leads outside/);
  });

  it('follows a symlink that stays inside, and judges the folder by its real path', async () => {
    await symlink('ok.input', path.join(folder, 'alias.input'));
    expect(Buffer.from(await readContainedFile(folder, 'alias.input', source)).toString()).toBe('inside');
    const viaLink = path.join(root, 'corpus-link');
    await symlink(folder, viaLink);
    expect(Buffer.from(await readContainedFile(viaLink, 'ok.input', source)).toString()).toBe('inside');
  });

  it('refuses a FIFO without blocking, and a missing file with its errno', async () => {
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    await expect(readContainedFile(folder, 'pipe', source)).rejects.toThrow(/not a regular file/);
    const missing: unknown = await readContainedFile(folder, 'nope', source).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ContainmentError);
    expect((missing as ContainmentError).code).toBe('ENOENT');
  });
});

describe('classifyEntry / containedFolder', () => {
  it('tells regular files, folders, outward symlinks and special files apart', async () => {
    await symlink(path.join(outside, 'secret'), path.join(folder, 'out'));
    await mkdir(path.join(folder, 'sub'));
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    expect((await classifyEntry(folder, path.join(folder, 'ok.input'))).kind).toBe('file');
    expect(await classifyEntry(folder, path.join(folder, 'sub'))).toEqual({ kind: 'folder' });
    expect(await classifyEntry(folder, path.join(folder, 'out'))).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/outside/) });
    expect(await classifyEntry(folder, path.join(folder, 'pipe'))).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/not a regular file/) });
  });

  it('refuses a sub-folder that is a symlink out of its parent', async () => {
    await symlink(outside, path.join(folder, 'violations'));
    await expect(containedFolder(folder, path.join(folder, 'violations'), { dataFile: 'x', field: '(folder)' })).rejects.toThrow(/symlink that leads outside/);
    await mkdir(path.join(folder, 'interesting'));
    await expect(containedFolder(folder, path.join(folder, 'interesting'), { dataFile: 'x', field: '(folder)' })).resolves.toBe(path.join(folder, 'interesting'));
  });
});

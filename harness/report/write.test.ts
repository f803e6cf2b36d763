import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResultsFixture } from '../../test/report/fixtures.ts';
import { readResultsFile } from './results-validate.ts';
import { MAX_FOLDED_STACKS } from './stack-cap.ts';
import { rerenderReport, writeReportFiles } from './write.ts';
import { mountTmpfs, tmpfsSkipReason } from '../../test/support/io-faults.ts';
import { WriteError } from '../core/atomic-file.ts';

describe('writeReportFiles', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slo-report-write-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes results.json, index.html and junit.xml, leaving no temp files', async () => {
    const results = makeResultsFixture({ calls: 3000 });
    const out = join(dir, 'run1', 'nested');
    const paths = await writeReportFiles(results, out);
    expect(paths).toMatchObject({ json: join(out, 'results.json'), html: join(out, 'index.html'), junit: join(out, 'junit.xml') });
    expect((await readdir(out)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
    expect(await readResultsFile(paths.json)).toEqual(JSON.parse(JSON.stringify(results)));
    expect(await readFile(paths.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(await readFile(paths.junit, 'utf8')).toMatch(/^<\?xml/);
  });

  it('stores and renders the baseline comparison when a baseline is given', async () => {
    const results = makeResultsFixture({ calls: 3000 });
    const baseline = structuredClone(results);
    baseline.run.id = 'yesterday';
    baseline.scenarios[0]!.findings.pop();
    const paths = await writeReportFiles(results, join(dir, 'run2'), { baseline, baselineFile: 'prev/results.json' });
    const written = await readResultsFile(paths.json);
    expect(written.baseline?.baselineRunId).toBe('yesterday');
    expect(written.baseline?.newFindings).toHaveLength(1);
    expect(await readFile(paths.html, 'utf8')).toContain('id="baseline"');
  });

  it('re-renders a report from a results file alone, optionally against a baseline file', async () => {
    const first = await writeReportFiles(makeResultsFixture({ calls: 2000 }), join(dir, 'run3'));
    const base = await writeReportFiles(makeResultsFixture({ calls: 2000 }), join(dir, 'run0'));
    await rm(first.html);
    const again = await rerenderReport(first.json, { baselinePath: base.json });
    expect(again.html).toBe(first.html);
    const html = await readFile(again.html, 'utf8');
    expect(html).toContain('id="summary"');
    expect(html).toContain('id="baseline"');
    await expect(rerenderReport(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: not found/);
  });

  it('leaves the source results.json untouched when re-rendering in place, and copies it when rendering elsewhere', async () => {
    const first = await writeReportFiles(makeResultsFixture({ calls: 2000 }), join(dir, 'run4'));
    const before = await readFile(first.json, 'utf8');
    const base = await writeReportFiles(makeResultsFixture({ calls: 2000 }), join(dir, 'run5'));
    await rerenderReport(first.json, { baselinePath: base.json });
    expect(await readFile(first.json, 'utf8')).toBe(before);
    const elsewhere = await rerenderReport(first.json, { outDir: join(dir, 'copy'), baselinePath: base.json });
    expect((await readResultsFile(elsewhere.json)).baseline?.baselineFile).toBe(base.json);
    expect((await readdir(join(dir, 'run4'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('caps the folded stacks it stores and says how many were dropped', async () => {
    const results = makeResultsFixture({ calls: 2000, stacksPerFinding: MAX_FOLDED_STACKS * 3, findings: 1, optionalSections: false });
    const before = results.scenarios[0]!.findings[0]!.stacks!;
    expect(before.folded.length).toBeGreaterThan(MAX_FOLDED_STACKS);
    const paths = await writeReportFiles(results, join(dir, 'capped'));
    const stacks = (await readResultsFile(paths.json)).scenarios[0]!.findings[0]!.stacks!;
    expect(stacks.folded).toHaveLength(MAX_FOLDED_STACKS);
    expect(stacks.foldedOther?.stacks).toBe(before.folded.length - MAX_FOLDED_STACKS);
    const sum = (list: Array<{ count: number }>): number => list.reduce((n, s) => n + s.count, 0);
    expect(sum(stacks.folded) + stacks.foldedOther!.count).toBe(sum(before.folded));
    // The caller's object is not modified.
    expect(results.scenarios[0]!.findings[0]!.stacks!.folded.length).toBe(before.folded.length);
  });

  const skip = tmpfsSkipReason();
  it.skipIf(skip !== null)(`on a full disk: the previous report set stays whole, no temporary file is left${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const root = join(import.meta.dirname, '../../test-output');
    await mkdir(root, { recursive: true });
    const fs = mountTmpfs(await mkdtemp(join(root, 'report-tmpfs-')), 512);
    try {
      const small = makeResultsFixture({ calls: 100, findings: 0, optionalSections: false });
      small.run.id = 'previous';
      await writeReportFiles(small, fs.dir);
      const before = await Promise.all(['results.json', 'index.html', 'junit.xml'].map((n) => readFile(join(fs.dir, n), 'utf8')));
      fs.fillLeaving(8192);
      const error = await writeReportFiles(makeResultsFixture({ calls: 3000 }), fs.dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WriteError);
      expect(error).toMatchObject({ code: 'ENOSPC', replaced: [] });
      const after = await Promise.all(['results.json', 'index.html', 'junit.xml'].map((n) => readFile(join(fs.dir, n), 'utf8')));
      expect(after).toEqual(before);
      expect((await readResultsFile(join(fs.dir, 'results.json'))).run.id).toBe('previous');
      expect((await readdir(fs.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.unmount();
      await rm(fs.dir, { recursive: true, force: true });
    }
  });
});

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeResultsFixture } from '../../test/report/fixtures.ts';
import { readResultsFile } from './results-validate.ts';
import { rerenderReport, writeFileAtomic, writeReportFiles } from './write.ts';

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
    expect(paths).toEqual({ json: join(out, 'results.json'), html: join(out, 'index.html'), junit: join(out, 'junit.xml') });
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

  it('replaces an existing file whole', async () => {
    const path = join(dir, 'atomic.txt');
    await writeFileAtomic(path, 'first version, longer');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('cleans up its temp file when the target cannot be written', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'x.txt'), 'x')).rejects.toThrow();
    await expect(writeFileAtomic(dir, 'x')).rejects.toThrow(); // a directory cannot be replaced by a file
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

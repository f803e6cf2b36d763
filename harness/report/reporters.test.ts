import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeResultsFixture } from '../../test/report/fixtures.ts';
import { lostWrites, resetLostWrites } from '../core/write-failures.ts';
import { UsageError } from '../scenario/load.ts';
import { renderConsoleSummary } from './console.ts';
import { renderHtmlReport } from './html/index.ts';
import { renderJunit } from './junit.ts';
import { fileReporter, type Reporter, type WrittenReport } from './reporter.ts';
import { REPORTER_NAMES, REPORTERS, resolveReporters } from './reporters.ts';
import { consoleReporter } from './reporters/console.ts';
import { readResultsFile } from './results-validate.ts';
import { rerenderReportSet, writeFinalReport, writeReportSet } from './write.ts';

const names = (reporters: readonly Reporter[]): string[] => reporters.map((r) => r.name);

describe('resolveReporters', () => {
  it('null is the default set: every reporter, console first, then the files in the order the terminal lists them', () => {
    expect(names(resolveReporters(null))).toEqual(['console', 'html', 'json', 'junit']);
    expect(REPORTER_NAMES).toEqual(['console', 'html', 'json', 'junit']);
    expect(new Set(REPORTER_NAMES).size).toBe(REPORTERS.length);
  });

  it('selects the named reporters in registry order, each once', () => {
    expect(names(resolveReporters(['junit', 'json', 'junit']))).toEqual(['json', 'junit']);
    expect(names(resolveReporters(['console']))).toEqual(['console']);
  });

  it('refuses an unknown name as a usage error (exit 2) that lists the known names', () => {
    const error = (() => {
      try {
        resolveReporters(['json', 'xml', 'tap']);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('unknown reporters "xml", "tap"; known reporters: console, html, json, junit');
    expect(() => resolveReporters(['JSON'])).toThrow('unknown reporter "JSON"; known reporters: console, html, json, junit');
  });

  it('refuses an empty selection: a run that reports nothing is a mistake, not a choice', () => {
    expect(() => resolveReporters([])).toThrow(UsageError);
    expect(() => resolveReporters([])).toThrow(/^no reporter named; known reporters: console, html, json, junit$/);
  });
});

describe('a report set written through the reporters', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slo-reporters-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => resetLostWrites());

  it('the default set writes the three files, each as its renderer renders it', async () => {
    const results = makeResultsFixture({ calls: 2000 });
    const out = path.join(dir, 'default');
    const set = await writeReportSet(resolveReporters(null), results, out);
    expect(set.files.map((f) => [f.reporter, f.label, path.basename(f.file), f.primary])).toEqual([
      ['html', 'report', 'index.html', false],
      ['json', 'results', 'results.json', true],
      ['junit', 'junit', 'junit.xml', false],
    ]);
    expect((await readdir(out)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe(renderHtmlReport(set.results));
    expect(await readFile(path.join(out, 'junit.xml'), 'utf8')).toBe(renderJunit(set.results));
    expect(await readResultsFile(path.join(out, 'results.json'))).toEqual(JSON.parse(JSON.stringify(set.results)));
  });

  it('a subset writes only its own files, after every scenario as at the end', async () => {
    const reporters = resolveReporters(['json', 'junit']);
    for (const stage of ['partial', 'final'] as const) {
      const out = path.join(dir, `subset-${stage}`);
      await writeReportSet(reporters, makeResultsFixture({ calls: 1000 }), out, {}, stage);
      expect((await readdir(out)).sort()).toEqual(['junit.xml', 'results.json']);
    }
    const consoleOnly = await writeReportSet(resolveReporters(['console']), makeResultsFixture({ calls: 1000 }), path.join(dir, 'console-only'));
    expect(consoleOnly.files).toEqual([]);
    await expect(readdir(path.join(dir, 'console-only'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a new reporter is one fileReporter: its file joins the same set', async () => {
    const csv = fileReporter({ name: 'csv', description: 'one line per scenario', fileName: 'scenarios.csv', label: 'csv', render: (r) => r.scenarios.map((s) => `${s.name},${s.verdict}\n`).join('') });
    const out = path.join(dir, 'plugin');
    const results = makeResultsFixture({ calls: 1000 });
    await writeReportSet([...resolveReporters(['json']), csv], results, out);
    expect((await readdir(out)).sort()).toEqual(['results.json', 'scenarios.csv']);
    expect(await readFile(path.join(out, 'scenarios.csv'), 'utf8')).toBe(results.scenarios.map((s) => `${s.name},${s.verdict}\n`).join(''));
  });

  it('a refused final set writes nothing and records each of its files as lost, results.json first', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'a file where the output folder should be');
    const report = await writeFinalReport(resolveReporters(['junit', 'json']), makeResultsFixture({ calls: 1000 }), path.join(blocker, 'out'), {});
    expect(report.files).toBeNull();
    expect(lostWrites().map((l) => [l.kind, l.what, path.basename(l.path ?? '')])).toEqual([
      ['report', 'report file results.json (the previous one there, if any, is unchanged)', 'results.json'],
      ['report', 'report file junit.xml (the previous one there, if any, is unchanged)', 'junit.xml'],
    ]);
  });

  it('a re-render in place keeps the results.json it reads and lists it with the rest', async () => {
    const out = path.join(dir, 'rerender');
    await writeReportSet(resolveReporters(null), makeResultsFixture({ calls: 1000 }), out);
    const source = path.join(out, 'results.json');
    const before = await readFile(source, 'utf8');
    await rm(path.join(out, 'junit.xml'));
    const again = await rerenderReportSet(resolveReporters(['json', 'junit']), source, { baselinePath: source });
    expect(again.files.map((f) => f.file)).toEqual([source, path.join(out, 'junit.xml')]);
    expect(again.results.baseline?.baselineFile).toBe(source);
    expect(await readFile(source, 'utf8')).toBe(before);
    expect((await readdir(out)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
  });
});

describe('the console reporter', () => {
  const results = makeResultsFixture({ calls: 1000 });
  const inCwd = (name: string): string => path.join(process.cwd(), 'reports', 'x', name);

  it('prints the summary, then each written file by its label, relative to the working directory', () => {
    const written: WrittenReport = {
      results,
      files: [
        { file: inCwd('index.html'), data: '', reporter: 'html', label: 'report', primary: false },
        { file: inCwd('results.json'), data: '', reporter: 'json', label: 'results', primary: true },
      ],
    };
    const text = consoleReporter.onReportWritten!(written, { color: false });
    expect(text).toBe(`${renderConsoleSummary(results, { color: false })}\nreport: reports/x/index.html\nresults: reports/x/results.json`);
  });

  it('says the report was not written when the disk refused it (the lost files follow on stderr)', () => {
    const text = consoleReporter.onReportWritten!({ results, files: null }, { color: true });
    expect(text).toBe(`${renderConsoleSummary(results, { color: true })}\nreport: not written (see below)`);
  });
});

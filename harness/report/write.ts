/**
 * Writes a run's report files: results.json (the source of truth), index.html and
 * junit.xml, each atomically (temp file in the same directory, then rename), so a reader
 * or a CI artefact upload never sees a half-written file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { compareWithBaseline } from './baseline.ts';
import { renderHtmlReport } from './html/index.ts';
import { renderJunit } from './junit.ts';
import type { ResultsFile } from './results-schema.ts';
import { readResultsFile } from './results-validate.ts';

export interface ReportPaths {
  html: string;
  json: string;
  junit: string;
}

export interface WriteReportOptions {
  /** A previous run to compare with; its comparison is stored in results.json as `baseline`. */
  baseline?: ResultsFile;
  /** Path of the baseline file, shown in the report. */
  baselineFile?: string;
}

/** Writes `content` to `path` via a temp file in the same directory and a rename. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { encoding: 'utf8', mode: 0o644 });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The results as written: with the baseline comparison attached when a baseline is given. */
export function withBaseline(results: ResultsFile, options: WriteReportOptions): ResultsFile {
  if (!options.baseline) return results;
  return { ...results, baseline: compareWithBaseline(results, options.baseline, options.baselineFile ?? null) };
}

/** Renders and writes results.json, index.html and junit.xml into `outDir` (created if needed). */
export async function writeReportFiles(results: ResultsFile, outDir: string, options: WriteReportOptions = {}): Promise<ReportPaths> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const final = withBaseline(results, options);
  const paths: ReportPaths = { json: join(dir, 'results.json'), html: join(dir, 'index.html'), junit: join(dir, 'junit.xml') };
  // results.json first: if rendering fails, the source of truth is already on disk.
  await writeFileAtomic(paths.json, `${JSON.stringify(final, null, 2)}\n`);
  await writeFileAtomic(paths.html, renderHtmlReport(final));
  await writeFileAtomic(paths.junit, renderJunit(final));
  return paths;
}

/**
 * `slo-harness report <results.json>`: re-renders the report from results alone (validated),
 * into the results file's own directory unless `outDir` is given.
 */
export async function rerenderReport(resultsPath: string, options: { outDir?: string; baselinePath?: string } = {}): Promise<ReportPaths> {
  const results = await readResultsFile(resultsPath);
  const baseline = options.baselinePath === undefined ? undefined : await readResultsFile(options.baselinePath);
  return writeReportFiles(results, options.outDir ?? dirname(resultsPath), {
    ...(baseline ? { baseline, baselineFile: options.baselinePath } : {}),
  });
}

/**
 * Writes a run's report files: results.json (the source of truth), index.html and
 * junit.xml, each atomically (harness/io/atomic-file.ts), so a reader or a CI artefact
 * upload never sees a half-written file. Stacks are capped on the way out (stack-cap.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.ts';
import { compareWithBaseline } from './baseline.ts';
import { renderHtmlReport } from './html/index.ts';
import { renderJunit } from './junit.ts';
import type { ResultsFile } from './results-schema.ts';
import { readResultsFile } from './results-validate.ts';
import { capResultsStacks } from './stack-cap.ts';

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
  /** Write results.json too (default true); false re-renders the HTML and JUnit only. */
  writeJson?: boolean;
}

/** The results as written: with the baseline comparison attached when a baseline is given. */
export function withBaseline(results: ResultsFile, options: WriteReportOptions): ResultsFile {
  if (!options.baseline) return results;
  return { ...results, baseline: compareWithBaseline(results, options.baseline, options.baselineFile ?? null) };
}

/** The results exactly as the report files show them: stacks capped, baseline compared. */
export function reportedResults(results: ResultsFile, options: WriteReportOptions = {}): ResultsFile {
  return withBaseline(capResultsStacks(results), options);
}

/** Renders and writes results.json, index.html and junit.xml into `outDir` (created if needed). */
export async function writeReportFiles(results: ResultsFile, outDir: string, options: WriteReportOptions = {}): Promise<ReportPaths & { results: ResultsFile }> {
  const dir = resolve(outDir);
  const final = reportedResults(results, options);
  const paths: ReportPaths = { json: join(dir, 'results.json'), html: join(dir, 'index.html'), junit: join(dir, 'junit.xml') };
  // results.json first: if rendering fails, the source of truth is already on disk.
  if (options.writeJson !== false) await writeFileAtomic(paths.json, `${JSON.stringify(final, null, 2)}\n`);
  await writeFileAtomic(paths.html, renderHtmlReport(final));
  await writeFileAtomic(paths.junit, renderJunit(final));
  return { ...paths, results: final };
}

/**
 * `slo-harness report <results.json>`: re-renders the report from results alone (validated).
 * Into the results file's own folder by default, leaving that results.json as it is; into
 * another folder, results.json is copied along so the folder stands on its own.
 */
export async function rerenderReport(resultsPath: string, options: { outDir?: string; baselinePath?: string } = {}): Promise<ReportPaths & { results: ResultsFile }> {
  const results = await readResultsFile(resultsPath);
  const baseline = options.baselinePath === undefined ? undefined : await readResultsFile(options.baselinePath);
  const outDir = options.outDir ?? dirname(resultsPath);
  const sameFolder = resolve(outDir) === resolve(dirname(resultsPath));
  return writeReportFiles(results, outDir, {
    ...(baseline ? { baseline, baselineFile: options.baselinePath } : {}),
    writeJson: !sameFolder,
  });
}

/**
 * Writes a run's report files: results.json (the source of truth), index.html and
 * junit.xml, as one set (harness/core/atomic-file.ts writeFilesAtomic): all three are
 * rendered, written to temporary files and flushed before any is renamed into place, so a
 * reader, a CI artefact upload or a full disk never sees a half-written file nor a mix of
 * two runs; on failure the temporary files are removed and the previous set is untouched.
 * Stacks are capped on the way out (stack-cap.ts).
 */
import { dirname, join, resolve } from 'node:path';
import { writeFilesAtomic, type FileToWrite } from '../core/atomic-file.ts';
import { compareWithBaseline } from './baseline.ts';
import { renderHtmlReport } from './html/index.ts';
import { renderJunit } from './junit.ts';
import type { ResultsFile } from '../core/results-schema.ts';
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
  // Everything is rendered before anything is written: a rendering bug cannot leave half a set.
  const files: FileToWrite[] = [
    ...(options.writeJson !== false ? [{ file: paths.json, data: `${JSON.stringify(final, null, 2)}\n` }] : []),
    { file: paths.html, data: renderHtmlReport(final) },
    { file: paths.junit, data: renderJunit(final) },
  ];
  // results.json is renamed first. The renames allocate nothing, so only an I/O error or a
  // remount can stop the set half-way; results.json first then means the new run's source
  // of truth is on disk whatever happens, and `slo-harness report` re-renders the other two
  // from it (renamed last, a failure would leave the new HTML beside the old results, and
  // the new results nowhere).
  await writeFilesAtomic(files);
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

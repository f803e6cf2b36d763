/**
 * Writes a run's report set: every selected reporter's files (reporter.ts), as one set
 * (core/atomic-file.ts writeFilesAtomic): all are rendered, written to temporary files and
 * flushed before any is renamed into place, so a reader, a CI artefact upload or a full
 * disk never sees a half-written file nor a mix of two runs; on failure the temporary files
 * are removed and the previous set is untouched. Stacks are capped on the way out
 * (stack-cap.ts).
 */
import path, { dirname, resolve } from 'node:path';
import { writeFilesAtomic, WriteError } from '../core/atomic-file.ts';
import { shownPath } from '../core/display-path.ts';
import type { ResultsFile } from '../core/results-schema.ts';
import { recordLostWrite } from '../core/write-failures.ts';
import { compareWithBaseline } from './baseline.ts';
import type { ReportFile, Reporter, WrittenReport } from './reporter.ts';
import { REPORTERS } from './reporters.ts';
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

/** Which moment of the run a set is rendered for (the Reporter hook called). */
export type ReportStage = 'partial' | 'final';

/**
 * Every reporter's files for these results, in reporter order. Everything is rendered
 * before anything is written: a rendering bug cannot leave half a set.
 */
export function renderReportSet(reporters: readonly Reporter[], results: ResultsFile, outDir: string, stage: ReportStage): ReportFile[] {
  return reporters.flatMap((r) => (stage === 'partial' ? r.onScenarioResult?.(results, outDir) : r.onRunEnd?.(results, outDir)) ?? []);
}

/**
 * The order the files are renamed in: the primary file (results.json) first. The renames
 * allocate nothing, so only an I/O error or a remount can stop the set half-way; the source
 * of truth first then means the new run's results are on disk whatever happens, and
 * `slo-harness report` re-renders the others from it (renamed last, a failure would leave
 * the new HTML beside the old results, and the new results nowhere).
 */
export function commitOrder(files: readonly ReportFile[]): ReportFile[] {
  return [...files.filter((f) => f.primary), ...files.filter((f) => !f.primary)];
}

/** Writes rendered files as one set (core/atomic-file.ts writeFilesAtomic), in commitOrder. */
export async function commitReportSet(files: readonly ReportFile[]): Promise<void> {
  await writeFilesAtomic(commitOrder(files));
}

/** Renders the reporters' files for `results` (as reportedResults) and writes them as one set. */
export async function writeReportSet(
  reporters: readonly Reporter[], results: ResultsFile, outDir: string, options: WriteReportOptions = {}, stage: ReportStage = 'final',
): Promise<WrittenReport & { files: readonly ReportFile[] }> {
  const final = reportedResults(results, options);
  const files = renderReportSet(reporters, final, outDir, stage);
  await commitReportSet(files);
  return { results: final, files };
}

/**
 * The final set of a run, or a set with `files: null` when the disk refused it: each file
 * is then recorded as lost (none was replaced, unless the error says otherwise), so the run
 * ends with exit 2 naming them, and the results still reach the terminal.
 */
export async function writeFinalReport(reporters: readonly Reporter[], results: ResultsFile, outDir: string, options: WriteReportOptions): Promise<WrittenReport> {
  const final = reportedResults(results, options);
  const files = renderReportSet(reporters, final, outDir, 'final');
  try {
    await commitReportSet(files);
    return { results: final, files };
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    recordLostReport(commitOrder(files), error);
    return { results: final, files: null };
  }
}

function recordLostReport(files: readonly ReportFile[], error: WriteError): void {
  for (const { file } of files) {
    if (error.replaced.includes(file)) continue;
    const kept = error.replaced.length === 0 ? 'the previous one there, if any, is unchanged' : `the folder now mixes two runs; re-render it with \`slo-harness report ${shownPath(error.replaced[0]!)}\``;
    recordLostWrite('report', `report file ${path.basename(file)} (${kept})`, new WriteError(file, error.cause));
  }
}

/**
 * `slo-harness report <results.json>`: re-renders the report from results alone (validated).
 * Into the results file's own folder by default, where the primary file (results.json) is
 * left as it is: that folder's source of truth is the file just read. Into another folder,
 * results.json is written along so the folder stands on its own.
 */
export async function rerenderReportSet(
  reporters: readonly Reporter[], resultsPath: string, options: { outDir?: string; baselinePath?: string } = {},
): Promise<WrittenReport & { files: readonly ReportFile[] }> {
  const results = await readResultsFile(resultsPath);
  const baseline = options.baselinePath === undefined ? undefined : await readResultsFile(options.baselinePath);
  const final = reportedResults(results, baseline ? { baseline, baselineFile: options.baselinePath } : {});
  const outDir = options.outDir ?? dirname(resultsPath);
  const files = renderReportSet(reporters, final, outDir, 'final');
  const inPlace = resolve(outDir) === resolve(dirname(resultsPath));
  await commitReportSet(inPlace ? files.filter((f) => !f.primary) : files);
  return { results: final, files };
}

/** The default set's three files by kind, for callers that want paths, not reporters. */
function defaultPaths(files: readonly ReportFile[]): ReportPaths {
  const of = (reporter: string): string => files.find((f) => f.reporter === reporter)!.file;
  return { html: of('html'), json: of('json'), junit: of('junit') };
}

/** Renders and writes results.json, index.html and junit.xml (the default set) into `outDir` (created if needed). */
export async function writeReportFiles(results: ResultsFile, outDir: string, options: WriteReportOptions = {}): Promise<ReportPaths & { results: ResultsFile }> {
  const set = await writeReportSet(REPORTERS, results, outDir, options);
  return { ...defaultPaths(set.files), results: set.results };
}

/** rerenderReportSet with the default set, answering with its paths. */
export async function rerenderReport(resultsPath: string, options: { outDir?: string; baselinePath?: string } = {}): Promise<ReportPaths & { results: ResultsFile }> {
  const set = await rerenderReportSet(REPORTERS, resultsPath, options);
  return { ...defaultPaths(set.files), results: set.results };
}

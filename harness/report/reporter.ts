/**
 * Reporters: what a run's results become (the terminal summary, results.json, index.html,
 * junit.xml), one plug-in each, in the style of vitest's reporters. A reporter only
 * renders; the run writes. File-producing reporters return their files and the run commits
 * every selected reporter's files as one set (write.ts, core/atomic-file.ts
 * writeFilesAtomic), so no reader ever sees the report of one run beside the results of
 * another, and a disk that refuses the set refuses all of it.
 *
 * Adding a reporter: one file in reporters/ exporting a `Reporter`, and one line in
 * reporters.ts.
 */
import path from 'node:path';
import type { FileToWrite } from '../core/atomic-file.ts';
import type { ResultsFile } from '../core/results-schema.ts';

/** One file of a report set, rendered and not yet written. */
export interface ReportFile extends FileToWrite {
  /** Absolute destination, inside the run's output folder. */
  file: string;
  /** The reporter that rendered it. */
  reporter: string;
  /** How the terminal summary names it ("report", "results", "junit"). */
  label: string;
  /**
   * The file the others can be re-rendered from (results.json). It is renamed into place
   * first, so an I/O error half-way through the set still leaves the new run's source of
   * truth on disk, and `slo-harness report` can redo the rest from it.
   */
  primary: boolean;
}

/** The final report set, once committed (or refused). */
export interface WrittenReport {
  /** The results exactly as the files show them: stacks capped, baseline compared. */
  results: ResultsFile;
  /**
   * The set's files in reporter order, or null when the disk refused the set (each lost
   * file is then recorded, core/write-failures.ts). A re-render in the results file's own
   * folder lists that results.json, which it reads and leaves as it was.
   */
  files: readonly ReportFile[] | null;
}

/** How the terminal that shows a reporter's text renders it. */
export interface TerminalOptions {
  /** ANSI colours allowed (a TTY without NO_COLOR, console.ts shouldUseColor). */
  color: boolean;
}

/**
 * A reporter. Every hook is optional and pure (no I/O, no state kept between calls), so the
 * same reporter serves `slo-harness run`, `slo-harness report` and tests, and the run decides
 * where its output goes (which folder, stdout or stderr, all files or none).
 */
export interface Reporter {
  /** The name `--reporter` selects it by: lower case, no spaces or commas. */
  readonly name: string;
  /** What it produces, in one line (README, usage errors). */
  readonly description: string;
  /**
   * After each scenario, with the results so far: the files of the partial set, so an
   * interrupted or killed run still leaves a report. Return [] to write only at the end.
   */
  onScenarioResult?(partial: ResultsFile, outDir: string): readonly ReportFile[];
  /** At the end of a run, or when `slo-harness report` re-renders: the files of the final set. */
  onRunEnd?(results: ResultsFile, outDir: string): readonly ReportFile[];
  /** Once the final set is committed or refused: text for the terminal, without a trailing newline. */
  onReportWritten?(report: WrittenReport, terminal: TerminalOptions): string;
}

/** What a reporter that renders one file from the results needs to say. */
export interface FileReporterSpec {
  name: string;
  description: string;
  /** The file's name inside the output folder. */
  fileName: string;
  label: string;
  /** See ReportFile.primary; false unless given. */
  primary?: boolean;
  /** Renders the whole file; pure (same results, same text). */
  render(results: ResultsFile): string;
}

/** A reporter that renders one file, after every scenario and at the end. */
export function fileReporter(spec: FileReporterSpec): Reporter {
  const files = (results: ResultsFile, outDir: string): ReportFile[] => [
    { file: path.join(path.resolve(outDir), spec.fileName), data: spec.render(results), reporter: spec.name, label: spec.label, primary: spec.primary ?? false },
  ];
  return { name: spec.name, description: spec.description, onScenarioResult: files, onRunEnd: files };
}

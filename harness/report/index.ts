/** The report capability's public surface, for the CLI and the runner. */
export { compareWithBaseline, hasRegression } from './baseline.ts';
export { printConsoleSummary, renderConsoleSummary, shouldUseColor, type ConsoleOptions } from './console.ts';
export { escapeHtml, escapeTerminal, escapeXml } from './escape.ts';
export { renderHtmlReport } from './html/index.ts';
export { renderJunit } from './junit.ts';
export { fileReporter, type FileReporterSpec, type ReportFile, type Reporter, type TerminalOptions, type WrittenReport } from './reporter.ts';
export { REPORTER_NAMES, REPORTERS, resolveReporters } from './reporters.ts';
export { ResultsFileError, parseResultsFile, readResultsFile } from './results-validate.ts';
export { testFailureMessage, type TestVerdictOptions } from './test-verdict.ts';
export { capResultsStacks, capStacks, MAX_FOLDED_STACKS } from './stack-cap.ts';
export {
  commitOrder, commitReportSet, renderReportSet, rerenderReport, rerenderReportSet, reportedResults, writeFinalReport, writeReportFiles, writeReportSet,
  type ReportPaths, type ReportStage, type WriteReportOptions,
} from './write.ts';

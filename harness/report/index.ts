/** The report capability's public surface, for the CLI and the runner. */
export { compareWithBaseline, hasRegression } from './baseline.ts';
export { printConsoleSummary, renderConsoleSummary, shouldUseColor, type ConsoleOptions } from './console.ts';
export { escapeHtml, escapeTerminal, escapeXml } from './escape.ts';
export { renderHtmlReport } from './html/index.ts';
export { renderJunit } from './junit.ts';
export { ResultsFileError, parseResultsFile, readResultsFile } from './results-validate.ts';
export { testFailureMessage, type TestVerdictOptions } from './test-verdict.ts';
export { capResultsStacks, capStacks, MAX_FOLDED_STACKS } from './stack-cap.ts';
export { rerenderReport, reportedResults, writeReportFiles, type ReportPaths, type WriteReportOptions } from './write.ts';

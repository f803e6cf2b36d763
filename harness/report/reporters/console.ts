/**
 * The terminal summary (console.ts): the verdict table, findings with their replay
 * commands, the baseline comparison, then one line per file of the report set.
 */
import { shownPath } from '../../core/display-path.ts';
import { renderConsoleSummary } from '../console.ts';
import type { Reporter, WrittenReport, TerminalOptions } from '../reporter.ts';

/** The summary, then the files written ("report: reports/x/index.html"), in reporter order. */
function summaryText({ results, files }: WrittenReport, { color }: TerminalOptions): string {
  const summary = renderConsoleSummary(results, { color });
  // The lost files themselves are named on stderr after the summary (core/write-failures.ts).
  if (files === null) return `${summary}\nreport: not written (see below)`;
  return [summary, ...files.map((f) => `${f.label}: ${shownPath(f.file)}`)].join('\n');
}

export const consoleReporter: Reporter = {
  name: 'console',
  description: 'the summary table on the terminal: verdicts with intervals, findings with replay commands, the files written',
  onReportWritten: summaryText,
};

/** index.html: the self-contained report page (html/index.ts). */
import { renderHtmlReport } from '../html/index.ts';
import { fileReporter, type Reporter } from '../reporter.ts';

const HTML_FILE_NAME = 'index.html';

export const htmlReporter: Reporter = fileReporter({
  name: 'html',
  description: `${HTML_FILE_NAME}: one self-contained page with charts, findings and stacks (no script, no network)`,
  fileName: HTML_FILE_NAME,
  label: 'report',
  render: renderHtmlReport,
});

/** junit.xml: one test case per SLO and per finding, for CI test tabs (junit.ts). */
import { renderJunit } from '../junit.ts';
import { fileReporter, type Reporter } from '../reporter.ts';

const JUNIT_FILE_NAME = 'junit.xml';

export const junitReporter: Reporter = fileReporter({
  name: 'junit',
  description: `${JUNIT_FILE_NAME}: one test case per SLO and per finding, for CI test tabs`,
  fileName: JUNIT_FILE_NAME,
  label: 'junit',
  render: renderJunit,
});

/** results.json: the run's source of truth, which every other report can be re-rendered from. */
import { fileReporter, type Reporter } from '../reporter.ts';

const RESULTS_FILE_NAME = 'results.json';

export const jsonReporter: Reporter = fileReporter({
  name: 'json',
  description: `${RESULTS_FILE_NAME}: every measurement, verdict and finding (the source of truth; \`slo-harness report\` re-renders the rest from it)`,
  fileName: RESULTS_FILE_NAME,
  label: 'results',
  primary: true,
  render: (results) => `${JSON.stringify(results, null, 2)}\n`,
});

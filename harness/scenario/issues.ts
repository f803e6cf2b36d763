/**
 * How a problem in a scenario file is reported: every issue names the field, what is wrong
 * and how to fix it, because the reader is an SRE looking at a CI log. The validators
 * (schema.ts, chaos-schema.ts, service-schema.ts) and the loader all report through these.
 */
import { HarnessError } from '../core/errors.ts';

export interface ScenarioIssue {
  /** Dotted field path, e.g. `slo.p99` or `[1].input.maxLength`. */
  field: string;
  problem: string;
  fix: string;
}

function formatIssues(file: string, issues: ScenarioIssue[]): string {
  const lines = issues.map((i) => `  - ${i.field || '(scenario)'}: ${i.problem}\n    fix: ${i.fix}`);
  return `invalid scenario file ${file}\n${lines.join('\n')}`;
}

/** A problem in a scenario file; the CLI prints `message` and exits with code 2. */
export class ScenarioError extends HarnessError {
  constructor(
    readonly file: string,
    readonly issues: ScenarioIssue[],
  ) {
    super(formatIssues(file, issues));
  }
}

/**
 * Validation of results.json at the edge (`slo-harness report`, `--baseline`, `merge`)
 * against the schemas of core/results-schema.ts (the ones the types are inferred from).
 * Keys the schemas do not know are not checked and are kept (the validated value is returned
 * as read), so a file written by a newer harness that only *added* fields still reads; a
 * different `version` is refused with a message saying which. Errors name the file and the
 * field path.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { HarnessError } from '../core/errors.ts';
import { RESULTS_SCHEMA, RESULTS_VERSION, resultsFileSchema, type ResultsFile } from '../core/results-schema.ts';
import { fieldPath } from '../core/validation.ts';

/** A results file that could not be read, naming the file and (when known) the field. */
export class ResultsFileError extends HarnessError {
  constructor(
    readonly file: string,
    readonly field: string | null,
    detail: string,
  ) {
    super(`results file ${file}${field === null ? '' : `: field ${field}`}: ${detail}`);
  }
}

/** Validates parsed JSON; `source` names the file in errors. */
export function parseResultsFile(data: unknown, source: string): ResultsFile {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ResultsFileError(source, null, 'expected a JSON object');
  }
  const header = data as { schema?: unknown; version?: unknown };
  if (header.schema !== RESULTS_SCHEMA) {
    // The value is echoed only when it looks like a schema name: the file may not be ours to print.
    const got = typeof header.schema === 'string' && /^slo-harness\/[\w.-]{1,40}$/.test(header.schema) ? JSON.stringify(header.schema) : header.schema === undefined ? 'nothing' : 'another value';
    throw new ResultsFileError(source, 'schema', `expected "${RESULTS_SCHEMA}", got ${got} (is this a slo-harness results.json?)`);
  }
  if (header.version !== RESULTS_VERSION) {
    const newer = typeof header.version === 'number' && header.version > RESULTS_VERSION;
    throw new ResultsFileError(
      source,
      'version',
      `version ${JSON.stringify(header.version)} is not supported by this reader (it reads version ${RESULTS_VERSION})${newer ? '; it was written by a newer slo-harness' : ''}`,
    );
  }
  const parsed = resultsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
    throw new ResultsFileError(source, issue ? fieldPath(issue.path) : null, `${issue?.message ?? 'invalid'}${more}`);
  }
  // The schemas strip keys they do not know from their output; the input, now checked, keeps them.
  return data as ResultsFile;
}

/**
 * Reads and validates a results.json. Only this file is read: paths inside it (finding
 * inputs, metadata files, the corpus folder, a baseline file) are shown in reports, never
 * opened, so a hostile results file cannot make `report` or `--baseline` read anything
 * else. A FIFO or device is refused before reading (it would block or never end), and a
 * JSON syntax error is reported without the parser's excerpt of the text (the file may be
 * a symlink to something that must not be printed).
 */
export async function readResultsFile(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) throw new ResultsFileError(path, null, 'is not a regular file');
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResultsFileError(path, null, code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ResultsFileError(path, null, `not valid JSON${at ? ` (at character ${at})` : ' (truncated?)'}`);
  }
  return parseResultsFile(data, path);
}

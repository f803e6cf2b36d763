/**
 * The violation record (`corpora/<scenario>/violations/<id>.json`) and its validation at
 * the edge. Records arrive with repositories, so every field is checked before use: names
 * that become paths are plain file names, numbers are finite and in range. A bad record is
 * reported with the file, the field and the fix, and never half-used.
 */
import { z } from 'zod';
import { isPlainFileName } from '../core/contain.ts';
import { findingKindSchema, growthFitSchema, inputEncodingSchema } from '../core/results-schema.ts';
import { fieldPath } from '../core/validation.ts';

export const VIOLATION_SCHEMA = 'slo-harness/violation' as const;

/** A week in ms: no latency, budget or timeout of a real record comes near it. */
const MAX_MS = 7 * 24 * 3600 * 1000;
const ms = z.number().min(0).max(MAX_MS);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const plainName = z.string().refine(isPlainFileName, { message: 'must be a plain file name (no "/", "\\", ".." or NUL)' });
const text = (max: number) => z.string().max(max);

/** A run that wrote or re-confirmed a record (see CorpusStore.demoteViolation). */
const recordOwnerSchema = z.object({
  token: text(100),
  pid: count,
  hostname: text(255),
  /** When the owning run's store was created (ISO 8601). */
  since: text(100),
});
/** A run that wrote or re-confirmed a record (see CorpusStore.demoteViolation). */
export type RecordOwner = z.infer<typeof recordOwnerSchema>;

/**
 * The metadata file saved next to every violating input. Its kind, encoding and growth fit
 * are the same pieces as a results.json finding's; its bounds are tighter, since records
 * arrive with repositories and their names become paths.
 */
const violationRecordSchema = z.object({
  schema: z.literal(VIOLATION_SCHEMA),
  version: z.literal(1),
  id: plainName,
  scenario: text(200).min(1),
  /** Scenario file, relative to the metadata file's folder (so corpora can move with the repo). */
  scenarioFile: text(4096).min(1).refine((v) => !v.includes('\0'), { message: 'must not contain a NUL byte' }),
  scenarioIndex: count,
  kind: findingKindSchema,
  latencyMs: ms,
  budgetMs: ms,
  timeoutMs: ms,
  seed: z.number().int(),
  engine: text(200),
  encoding: inputEncodingSchema,
  /** Input file name, in the same folder. */
  inputFile: plainName,
  inputSize: count,
  message: text(1 << 20).nullable(),
  stack: text(1 << 20).nullable(),
  foundAt: text(100),
  replay: text(1 << 16),
  /** First-call latencies (ms, one per probe worker) that confirmed this violation. */
  firstCallLatenciesMs: z.array(ms).max(1000).optional(),
  /** Set on a minimised violation: the violation it was shrunk from (kept under its own id). */
  shrunkFrom: z.object({ id: plainName, size: count }).optional(),
  /** Set on an original once a smaller violation was derived from it. */
  minimisedTo: plainName.optional(),
  /** How latency grows when the minimised input is pumped. */
  growth: growthFitSchema.optional(),
  /** Milliseconds spent confirming and minimising. */
  minimiseMs: ms.optional(),
  /** Runs that wrote or re-confirmed this record and may still report it. */
  owners: z.array(recordOwnerSchema).max(64).optional(),
});
/** The metadata file saved next to every violating input. */
export type ViolationRecord = z.infer<typeof violationRecordSchema>;

/** A violation file that is not a valid record: names the file, the field and the fix. */
export class ViolationRecordError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`invalid violation file ${file}${field ? `: field ${field}` : ''}: ${problem}\n  fix: ${fix}`);
    this.name = 'ViolationRecordError';
  }
}

const FIX_DAMAGED = 'the record was edited or damaged: restore it from version control, or delete it and its .input file (the next run finds the violation again)';
const FIX_BY_FIELD: Record<string, string> = {
  inputFile: 'inputFile must name the input saved next to the record (<id>.input), never a path',
  id: 'id must be the record\'s content hash (its file name without .json)',
  schema: `a violation record starts with "schema": "${VIOLATION_SCHEMA}"; remove files that are not records from violations/`,
};

/** Validates parsed JSON as a violation record. */
export function parseViolationRecord(data: unknown, file: string): ViolationRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ViolationRecordError(file, null, 'expected a JSON object', FIX_DAMAGED);
  }
  const parsed = violationRecordSchema.safeParse(data);
  // Keys the schema does not know are kept, as a newer harness may have added them.
  if (parsed.success) return data as ViolationRecord;
  const issue = parsed.error.issues[0];
  const field = issue ? fieldPath(issue.path) : null;
  const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
  const top = field?.split(/[.[]/)[0] ?? '';
  throw new ViolationRecordError(file, field, `${issue?.message ?? 'invalid'}${more}`, FIX_BY_FIELD[top] ?? FIX_DAMAGED);
}

/**
 * Parses the text of a record. A JSON syntax error is reported without the parser's
 * excerpt of the text: the file may be a symlink to something that must not be printed.
 */
export function parseViolationText(textContent: string, file: string): ViolationRecord {
  let data: unknown;
  try {
    data = JSON.parse(textContent);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ViolationRecordError(file, null, `not valid JSON${at ? ` (at character ${at})` : ' (truncated?)'}`, FIX_DAMAGED);
  }
  return parseViolationRecord(data, file);
}

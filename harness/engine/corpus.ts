/**
 * The corpus on disk, per scenario:
 *   corpora/<scenario>/<any file>           seed inputs written by people
 *   corpora/<scenario>/interesting/<hash>   inputs the engines judged interesting
 *   corpora/<scenario>/violations/<id>.input + <id>.json   findings, with metadata
 * Every write is atomic; names are content hashes, so merging corpora is a file copy.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.ts';
import type { GrowthFit } from '../report/results-schema.ts';
import type { InputEncoding } from './feeders.ts';

export const VIOLATION_SCHEMA = 'slo-harness/violation' as const;

/** The metadata file saved next to every violating input. */
export interface ViolationRecord {
  schema: typeof VIOLATION_SCHEMA;
  version: 1;
  id: string;
  scenario: string;
  /** Scenario file, relative to the metadata file's folder (so corpora can move with the repo). */
  scenarioFile: string;
  scenarioIndex: number;
  kind: string;
  latencyMs: number;
  budgetMs: number;
  timeoutMs: number;
  seed: number;
  engine: string;
  encoding: InputEncoding;
  /** Input file name, in the same folder. */
  inputFile: string;
  inputSize: number;
  message: string | null;
  stack: string | null;
  foundAt: string;
  replay: string;
  /** First-call latencies (ms, one per probe worker) that confirmed this violation. */
  firstCallLatenciesMs?: number[];
  /** Set on a minimised violation: the violation it was shrunk from (kept under its own id). */
  shrunkFrom?: { id: string; size: number };
  /** Set on an original once a smaller violation was derived from it. */
  minimisedTo?: string;
  /** How latency grows when the minimised input is pumped. */
  growth?: GrowthFit;
  /** Milliseconds spent confirming and minimising. */
  minimiseMs?: number;
}

/**
 * What a violation found again keeps from its earlier record: when it was first found, and
 * what confirming and minimising it established (links between original and minimised).
 */
function carriedOver(earlier: ViolationRecord | null): Partial<ViolationRecord> {
  if (!earlier) return {};
  const { firstCallLatenciesMs, shrunkFrom, minimisedTo, growth, minimiseMs } = earlier;
  return Object.fromEntries(Object.entries({ firstCallLatenciesMs, shrunkFrom, minimisedTo, growth, minimiseMs }).filter(([, v]) => v !== undefined));
}

/** Fields of a violation record its writer supplies (the store fills in the rest). */
export type ViolationFields = Omit<ViolationRecord, 'schema' | 'version' | 'inputFile' | 'inputSize' | 'id'>;

export function contentId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 20);
}

const SKIP = new Set(['README.md', 'interesting', 'violations']);

/**
 * Structured (arbitrary) inputs are stored in structured-clone form; hand-written seeds
 * may be JSON files instead, converted here so every input has one identity format.
 */
function asEncoded(name: string, bytes: Uint8Array, encoding: InputEncoding): Uint8Array {
  if (encoding !== 'v8' || !name.endsWith('.json')) return bytes;
  return new Uint8Array(v8.serialize(JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown));
}

/**
 * Interesting inputs replayed at the start of a run, newest first. Every nightly run may add
 * up to 200: without a cap, replaying a year of them would eat the whole measured budget.
 * Older entries stay on disk (nothing is deleted); they are just not replayed.
 */
export const MAX_INTERESTING_REPLAYED = 2000;

async function readFilesIn(dir: string, encoding: InputEncoding, limit = Number.POSITIVE_INFINITY): Promise<Uint8Array[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const files: Array<{ file: string; name: string; mtimeMs: number }> = [];
  for (const name of names) {
    if (name.startsWith('.') || SKIP.has(name)) continue;
    const file = path.join(dir, name);
    const info = await stat(file);
    if (info.isFile()) files.push({ file, name, mtimeMs: info.mtimeMs });
  }
  if (files.length > limit) {
    files.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
    files.length = limit;
    files.sort((a, b) => a.name.localeCompare(b.name));
  }
  const out: Uint8Array[] = [];
  for (const { file, name } of files) {
    try {
      out.push(asEncoded(name, new Uint8Array(await readFile(file)), encoding));
    } catch (error) {
      throw new Error(`corpus file ${file}: ${(error as Error).message}`);
    }
  }
  return out;
}

export class CorpusStore {
  constructor(readonly dir: string) {}

  get violationsDir(): string {
    return path.join(this.dir, 'violations');
  }

  /** Seeds first (in name order), then the newest interesting inputs (capped); duplicates removed. */
  async loadSeeds(encoding: InputEncoding, maxInteresting = MAX_INTERESTING_REPLAYED): Promise<Uint8Array[]> {
    const all = [...(await readFilesIn(this.dir, encoding)), ...(await readFilesIn(path.join(this.dir, 'interesting'), encoding, maxInteresting))];
    const seen = new Set<string>();
    return all.filter((bytes) => {
      const id = contentId(bytes);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  async saveInteresting(bytes: Uint8Array): Promise<string> {
    const file = path.join(this.dir, 'interesting', contentId(bytes));
    await writeFileAtomic(file, bytes);
    return file;
  }

  /** Writes the input, then its metadata (the metadata's presence marks a complete record). */
  async saveViolation(bytes: Uint8Array, record: ViolationFields): Promise<{ id: string; inputFile: string; metaFile: string; record: ViolationRecord }> {
    const id = contentId(bytes);
    const inputFile = this.violationInputFile(id);
    const metaFile = this.violationMetaFile(id);
    const earlier = await this.existingRecord(id);
    const full: ViolationRecord = { schema: VIOLATION_SCHEMA, version: 1, id, ...carriedOver(earlier), ...record, ...(earlier ? { foundAt: earlier.foundAt } : {}), inputFile: `${id}.input`, inputSize: bytes.length };
    await writeFileAtomic(inputFile, bytes);
    await writeJsonAtomic(metaFile, full);
    return { id, inputFile, metaFile, record: full };
  }

  private async existingRecord(id: string): Promise<ViolationRecord | null> {
    try {
      return (await readViolation(this.violationMetaFile(id))).record;
    } catch {
      return null;
    }
  }

  /** True when an earlier run confirmed this violation with first calls (it is then never demoted). */
  async wasConfirmed(id: string): Promise<boolean> {
    return (await this.existingRecord(id))?.firstCallLatenciesMs !== undefined;
  }

  violationInputFile(id: string): string {
    return path.join(this.violationsDir, `${id}.input`);
  }

  violationMetaFile(id: string): string {
    return path.join(this.violationsDir, `${id}.json`);
  }

  /** Rewrites a violation's metadata with `patch` applied (atomically); the input is untouched. */
  async updateViolation(id: string, patch: Partial<ViolationFields>): Promise<ViolationRecord> {
    const { record } = await readViolation(this.violationMetaFile(id));
    const updated: ViolationRecord = { ...record, ...patch };
    await writeJsonAtomic(this.violationMetaFile(id), updated);
    return updated;
  }

  /**
   * Moves a violation that did not reproduce out of violations/ (which the regression suite
   * replays) into interesting/ (which the engines start from): nothing is lost. The
   * metadata goes first, so a crash in between leaves a seed, never a record without input.
   */
  async demoteViolation(id: string, bytes: Uint8Array): Promise<void> {
    await this.saveInteresting(bytes);
    await rm(this.violationMetaFile(id), { force: true });
    await rm(this.violationInputFile(id), { force: true });
  }

  async listViolations(): Promise<string[]> {
    try {
      return (await readdir(this.violationsDir)).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(this.violationsDir, n));
    } catch {
      return [];
    }
  }
}

/** Reads a violation metadata file and its input; errors name the file and the problem. */
export async function readViolation(metaFile: string): Promise<{ record: ViolationRecord; input: Uint8Array }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(metaFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read violation file ${metaFile}: ${(error as Error).message}`);
  }
  const record = parsed as Partial<ViolationRecord>;
  if (record.schema !== VIOLATION_SCHEMA || typeof record.inputFile !== 'string' || typeof record.scenarioFile !== 'string') {
    throw new Error(`${metaFile} is not a slo-harness violation file (expected "schema": "${VIOLATION_SCHEMA}" with inputFile and scenarioFile)`);
  }
  const input = new Uint8Array(await readFile(path.join(path.dirname(metaFile), record.inputFile)));
  return { record: record as ViolationRecord, input };
}

/**
 * The corpus on disk, per scenario:
 *   corpora/<scenario>/<any file>           seed inputs written by people
 *   corpora/<scenario>/interesting/<hash>   inputs the engines judged interesting
 *   corpora/<scenario>/violations/<id>.input + <id>.json   findings, with metadata
 * Every write is atomic; names are content hashes, so merging corpora is a file copy.
 *
 * Corpora arrive with repositories, so nothing in one is trusted: a seed that is a symlink
 * out of the folder, a FIFO or a broken JSON seed is skipped with a warning; a record is
 * validated (violation-record.ts) and its input must be a plain file name in its folder.
 * Writes that read-modify-write a record hold the corpus lock (corpus-lock.ts), and a run
 * demotes only a record no other live run wrote or re-confirmed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-file.ts';
import { classifyEntry, containedFolder, ContainmentError, readContainedFile, readRegularFile, resolveInside } from '../core/contain.ts';
import { pidIsAlive, withCorpusLock, type CorpusLockOptions } from './corpus-lock.ts';
import type { InputEncoding } from './feeders.ts';
import { parseViolationText, VIOLATION_SCHEMA, type RecordOwner, type ViolationRecord } from './violation-record.ts';

export { VIOLATION_SCHEMA, ViolationRecordError, type RecordOwner, type ViolationRecord } from './violation-record.ts';

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
export type ViolationFields = Omit<ViolationRecord, 'schema' | 'version' | 'inputFile' | 'inputSize' | 'id' | 'owners'>;

export function contentId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 20);
}

const SKIP = new Set(['README.md', 'interesting', 'violations']);

/**
 * Structured (arbitrary) inputs are stored in structured-clone form; hand-written seeds
 * may be JSON files instead, converted here so every input has one identity format.
 * A syntax error is reported without the parser's excerpt of the text.
 */
function asEncoded(name: string, bytes: Uint8Array, encoding: InputEncoding): Uint8Array {
  if (encoding !== 'v8' || !name.endsWith('.json')) return bytes;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new Error(`is not valid JSON${at ? ` (at character ${at})` : ' (truncated?)'}; fix it or remove it (arbitrary-input seeds are JSON values)`);
  }
  return new Uint8Array(v8.serialize(value));
}

/**
 * Interesting inputs replayed at the start of a run, newest first. Every nightly run may add
 * up to 200: without a cap, replaying a year of them would eat the whole measured budget.
 * Older entries stay on disk (nothing is deleted); they are just not replayed.
 */
export const MAX_INTERESTING_REPLAYED = 2000;

/** A run that owns no record any more: its process is gone from this host, or it started over a day ago. */
const OWNER_LEASE_MS = 24 * 3600 * 1000;
/** Owners kept per record; the oldest go first (they are the likeliest to be gone). */
const MAX_OWNERS = 16;

let processOwner: RecordOwner | undefined;
/** One owner per process unless a store is given its own token. */
function defaultOwner(): RecordOwner {
  processOwner ??= { token: randomBytes(8).toString('hex'), pid: process.pid, hostname: os.hostname(), since: new Date().toISOString() };
  return processOwner;
}

const warned = new Set<string>();
/** Corpus warnings go to stderr once per process (a corpus is loaded by several phases). */
function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`slo-harness: warning: ${line}\n`);
}

export interface CorpusStoreOptions {
  /** Token stamped into the records this store writes; default: one per process. */
  owner?: string;
  /** Where skipped-file warnings go (default: stderr, once per process). */
  warn?: (line: string) => void;
  /** Lock waiting (tests shorten it). */
  lock?: CorpusLockOptions;
}

interface LoadedFile {
  name: string;
  real: string;
  mtimeMs: number;
}

export class CorpusStore {
  readonly owner: RecordOwner;
  private readonly warn: (line: string) => void;
  private readonly lockOptions: CorpusLockOptions;
  /** Folders already checked to stay inside the corpus or project (saveInteresting runs often). */
  private readonly checkedFolders = new Set<string>();

  constructor(
    readonly dir: string,
    options: CorpusStoreOptions = {},
  ) {
    this.owner = options.owner ? { ...defaultOwner(), token: options.owner } : defaultOwner();
    this.warn = options.warn ?? warnOnce;
    this.lockOptions = options.lock ?? {};
  }

  get violationsDir(): string {
    return path.join(this.dir, 'violations');
  }

  /** Seeds first (in name order), then the newest interesting inputs (capped); duplicates removed. */
  async loadSeeds(encoding: InputEncoding, maxInteresting = MAX_INTERESTING_REPLAYED): Promise<Uint8Array[]> {
    const all = [...(await this.readFilesIn(this.dir, encoding)), ...(await this.readFilesIn(path.join(this.dir, 'interesting'), encoding, maxInteresting))];
    const seen = new Set<string>();
    return all.filter((bytes) => {
      const id = contentId(bytes);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  }

  /** Regular files of `folder` inside the corpus; anything else is skipped with a warning naming it. */
  private async readFilesIn(folder: string, encoding: InputEncoding, limit = Number.POSITIVE_INFINITY): Promise<Uint8Array[]> {
    let realFolder: string;
    let names: string[];
    try {
      await this.checkCorpusFolder();
      realFolder = await containedFolder(this.dir, folder, { dataFile: folder, field: '(folder)' });
      names = (await readdir(folder)).sort();
    } catch (error) {
      if (error instanceof ContainmentError && error.code !== 'ENOENT') this.warn(`corpus folder ${folder} skipped: ${error.problem}`);
      return [];
    }
    const files: LoadedFile[] = [];
    for (const name of names) {
      if (name.startsWith('.') || (folder === this.dir && SKIP.has(name))) continue;
      const file = path.join(folder, name);
      const entry = await classifyEntry(realFolder, file);
      if (entry.kind === 'refused') this.warn(`corpus file ${file} skipped: it ${entry.reason}`);
      if (entry.kind === 'file') files.push({ name, real: entry.real, mtimeMs: entry.mtimeMs });
    }
    if (files.length > limit) {
      files.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
      files.length = limit;
      files.sort((a, b) => a.name.localeCompare(b.name));
    }
    const out: Uint8Array[] = [];
    for (const { name, real } of files) {
      const file = path.join(folder, name);
      try {
        out.push(asEncoded(name, await readRegularFile(real, { dataFile: file, field: '(file)' }), encoding));
      } catch (error) {
        const reason = error instanceof ContainmentError ? error.problem : (error as Error).message;
        this.warn(`corpus file ${file} skipped: it ${reason}`);
      }
    }
    return out;
  }

  /**
   * In the default layout, <project>/corpora/<scenario>, the corpus folder (or corpora/)
   * must not be a symlink out of the project: a repository could point it at /etc.
   * A corpus folder a scenario names itself (`corpus:`) is the scenario author's choice.
   */
  private async checkCorpusFolder(): Promise<void> {
    if (this.checkedFolders.has(this.dir) || path.basename(path.dirname(this.dir)) !== 'corpora') return;
    const project = path.dirname(path.dirname(this.dir));
    await containedFolder(project, this.dir, { dataFile: this.dir, field: '(folder)' });
    this.checkedFolders.add(this.dir);
  }

  /** Throws when `folder` (a sub-folder of the corpus) is a symlink out of it: writes must not follow it. */
  private async checkWritableFolder(folder: string): Promise<void> {
    if (this.checkedFolders.has(folder)) return;
    try {
      await this.checkCorpusFolder();
      await containedFolder(this.dir, folder, { dataFile: folder, field: '(folder)' });
    } catch (error) {
      if (error instanceof ContainmentError && error.code === 'ENOENT') return; // created by the write, inside
      throw error;
    }
    this.checkedFolders.add(folder);
  }

  async saveInteresting(bytes: Uint8Array): Promise<string> {
    const file = path.join(this.dir, 'interesting', contentId(bytes));
    await this.checkWritableFolder(path.dirname(file));
    await writeFileAtomic(file, bytes);
    return file;
  }

  /**
   * Writes the input, then its metadata (the metadata's presence marks a complete record),
   * under the corpus lock. A violation found again keeps its first sighting and what earlier
   * runs established, and this run joins its owners.
   */
  async saveViolation(bytes: Uint8Array, record: ViolationFields): Promise<{ id: string; inputFile: string; metaFile: string; record: ViolationRecord }> {
    const id = contentId(bytes);
    const inputFile = this.violationInputFile(id);
    const metaFile = this.violationMetaFile(id);
    return this.locked(async () => {
      const earlier = await this.existingRecord(id);
      const full: ViolationRecord = {
        schema: VIOLATION_SCHEMA,
        version: 1,
        id,
        ...carriedOver(earlier),
        ...writerFields(record),
        ...(earlier ? { foundAt: earlier.foundAt } : {}),
        inputFile: `${id}.input`,
        inputSize: bytes.length,
        owners: this.ownersWithMe(earlier),
      };
      await writeFileAtomic(inputFile, bytes);
      try {
        await writeJsonAtomic(metaFile, full);
      } catch (error) {
        // An input without its record is a half-saved finding; one that had a record keeps both.
        if (!earlier) await rm(inputFile, { force: true }).catch(() => undefined);
        throw error;
      }
      return { id, inputFile, metaFile, record: full };
    });
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    await this.checkWritableFolder(this.violationsDir);
    return withCorpusLock(this.dir, fn, this.lockOptions);
  }

  private async existingRecord(id: string): Promise<ViolationRecord | null> {
    try {
      return (await readViolation(this.violationMetaFile(id))).record;
    } catch {
      return null;
    }
  }

  /** The record's owners that may still be running, without this store. */
  private liveOthers(record: ViolationRecord | null): RecordOwner[] {
    const now = Date.now();
    return (record?.owners ?? []).filter((o) => {
      if (o.token === this.owner.token) return false;
      const age = now - Date.parse(o.since);
      if (!(age < OWNER_LEASE_MS)) return false;
      return o.hostname !== os.hostname() || pidIsAlive(o.pid);
    });
  }

  private ownersWithMe(record: ViolationRecord | null): RecordOwner[] {
    return [...this.liveOthers(record), this.owner].slice(-MAX_OWNERS);
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

  /** Rewrites a violation's metadata with `patch` applied (atomically, under the lock); the input is untouched. */
  async updateViolation(id: string, patch: Partial<ViolationFields>): Promise<ViolationRecord> {
    return this.locked(async () => {
      const { record } = await readViolation(this.violationMetaFile(id));
      const updated: ViolationRecord = { ...record, ...writerFields(patch), owners: this.ownersWithMe(record) };
      await writeJsonAtomic(this.violationMetaFile(id), updated);
      return updated;
    });
  }

  /**
   * Moves a violation that did not reproduce out of violations/ (which the regression suite
   * replays) into interesting/ (which the engines start from): nothing is lost. The
   * metadata goes first, so a crash in between leaves a seed, never a record without input.
   * Under the lock, and only when no other live run wrote or re-confirmed the record (it may
   * have reported it), and no run confirmed it; otherwise this run just leaves its owners.
   */
  async demoteViolation(id: string, bytes: Uint8Array): Promise<void> {
    await this.locked(async () => {
      await this.saveInteresting(bytes);
      const record = await this.existingRecord(id);
      if (!record || record.firstCallLatenciesMs !== undefined) return;
      const others = this.liveOthers(record);
      if (others.length > 0) {
        await writeJsonAtomic(this.violationMetaFile(id), { ...record, owners: others });
        return;
      }
      await rm(this.violationMetaFile(id), { force: true });
      await rm(this.violationInputFile(id), { force: true });
    });
  }

  /** Record files, in name order; throws a ContainmentError when violations/ is a symlink out of the corpus. */
  async listViolations(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.violationsDir);
    } catch {
      return [];
    }
    await this.checkCorpusFolder();
    await containedFolder(this.dir, this.violationsDir, { dataFile: this.violationsDir, field: '(folder)' });
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort().map((n) => path.join(this.violationsDir, n));
  }
}

/** The writer's fields, without what the store owns (a caller may spread a whole record). */
function writerFields<T extends Partial<ViolationFields>>(fields: T): T {
  const { schema: _s, version: _v, id: _i, inputFile: _f, inputSize: _z, owners: _o, ...rest } = fields as T & Partial<ViolationRecord>;
  return rest as T;
}

/**
 * Reads a violation metadata file and its input. The record must sit in a `violations/`
 * folder that is not a symlink out of its corpus, must not itself be a symlink out of it,
 * must be a valid record, and its input a plain file name in the same folder. Errors
 * (ContainmentError, ViolationRecordError) name the file, the field and the fix.
 */
export async function readViolation(metaFile: string): Promise<{ record: ViolationRecord; input: Uint8Array }> {
  const folder = path.dirname(metaFile);
  await containedFolder(path.dirname(folder), folder, { dataFile: metaFile, field: '(folder)' });
  const real = await resolveInside(folder, path.basename(metaFile), { dataFile: metaFile, field: '(file)' });
  const text = Buffer.from(await readRegularFile(real, { dataFile: metaFile, field: '(file)' })).toString('utf8');
  const record = parseViolationText(text, metaFile);
  const input = await readContainedFile(folder, record.inputFile, { dataFile: metaFile, field: 'inputFile' });
  return { record, input };
}

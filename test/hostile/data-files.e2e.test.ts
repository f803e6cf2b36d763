/**
 * Hostile data files: a corpus that arrives with a repository (violation records, seeds,
 * symlinks) and results files passed to `report` / `--baseline` must never make the harness
 * read or print a file outside the project, nor run code a record names. A secret file with
 * a unique marker lives outside the project; the fixture target turns any input holding the
 * marker into a slow finding, so a secret read as an input would surface in the outputs.
 * Each case asserts the exit code, the message, and that the marker appears in none of
 * stdout, stderr, results.json, index.html and junit.xml.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusStore, type ViolationFields } from '../../harness/engine/corpus.ts';
import type { RegressionEntry, ResultsFile } from '../../harness/core/results-schema.ts';
import { REPO, runCli, type CliRun } from '../support/cli.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-data');
const MARKER = `S3CR3T-${randomBytes(8).toString('hex')}`;
const RUN = ['--seed', '1', '--trace', 'off'];

let secretDir: string;
let secretFile: string;
/** A JSON secret, for places that would parse it. */
let secretJson: string;
/** A scenario file outside the project that, if imported, writes `executedMarker`. */
let evilScenario: string;
let executedMarker: string;
const projects: string[] = [];

beforeAll(async () => {
  // The secret's path must not contain the marker: paths may be displayed, contents never.
  secretDir = await mkdtemp(path.join(os.tmpdir(), 'hostile-outside-'));
  secretFile = path.join(secretDir, 'secret.txt');
  secretJson = path.join(secretDir, 'secret.json');
  executedMarker = path.join(secretDir, 'EXECUTED');
  evilScenario = path.join(secretDir, 'evil.scenario.mjs');
  await writeFile(secretFile, `${MARKER}\n`);
  await writeFile(secretJson, JSON.stringify({ password: MARKER }));
  await writeFile(
    evilScenario,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(executedMarker)}, 'ran');\n` +
      `export default { name: 'fixture-data', target: () => 0, input: { type: 'string' }, slo: { p99: '1s', perCall: '20ms' } };\n`,
  );
});

afterAll(async () => {
  await rm(secretDir, { recursive: true, force: true });
  await Promise.all(projects.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A project with the data fixture in scenarios/ and an empty corpus. */
async function project(extra: string[] = []): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'hostile-data-'));
  projects.push(dir);
  await mkdir(path.join(dir, 'scenarios'));
  for (const fixture of ['data.scenario.ts.txt', ...extra]) await copyFile(path.join(FIXTURES, fixture), path.join(dir, 'scenarios', fixture.replace(/\.txt$/, '')));
  await mkdir(path.join(dir, 'corpora/fixture-data'), { recursive: true });
  return dir;
}

const fields: ViolationFields = {
  scenario: 'fixture-data',
  scenarioFile: '../../../scenarios/data.scenario.ts',
  scenarioIndex: 0,
  kind: 'slow',
  latencyMs: 120,
  budgetMs: 20,
  timeoutMs: 2000,
  seed: 1,
  engine: 'builtin',
  encoding: 'utf8',
  message: null,
  stack: null,
  foundAt: '2026-01-01T00:00:00.000Z',
  replay: '',
};

/** Saves a valid record, then rewrites its JSON with `edit`; returns the record file (relative to the project). */
async function record(dir: string, edit: (r: Record<string, unknown>) => Record<string, unknown> | string, input = 'xxSLOWxx'): Promise<string> {
  const { metaFile } = await new CorpusStore(path.join(dir, 'corpora/fixture-data')).saveViolation(new Uint8Array(Buffer.from(input)), fields);
  const edited = edit(JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>);
  await writeFile(metaFile, typeof edited === 'string' ? edited : JSON.stringify(edited));
  return path.relative(dir, metaFile);
}

async function readIfThere(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

/**
 * The marker is in none of the run's outputs (console and report files), nor its first
 * characters: a JSON parser's error quotes only the first ten characters of the text.
 */
async function expectNoLeak(run: CliRun, outDir: string | null): Promise<void> {
  const prefix = MARKER.slice(0, 7);
  for (const [name, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) expect(text, name).not.toContain(prefix);
  expect(run.stderr).not.toMatch(/internal error/);
  if (!outDir) return;
  for (const name of ['results.json', 'index.html', 'junit.xml']) expect(await readIfThere(path.join(outDir, name)), name).not.toContain(prefix);
}

async function regression(dir: string): Promise<{ run: CliRun; entries: RegressionEntry[] }> {
  const run = await runCli(['run', 'scenarios/data.scenario.ts', '--regression', '--out', 'out', ...RUN], dir);
  await expectNoLeak(run, path.join(dir, 'out'));
  const results = JSON.parse(await readFile(path.join(dir, 'out/results.json'), 'utf8')) as ResultsFile;
  return { run, entries: results.scenarios[0]?.regression?.entries ?? [] };
}

async function replay(dir: string, metaFile: string): Promise<CliRun> {
  const run = await runCli(['replay', metaFile], dir);
  await expectNoLeak(run, null);
  return run;
}

/** One error entry whose detail matches; the saved violations' verdict fails the run (exit 1). */
function expectErrorEntry(run: CliRun, entries: RegressionEntry[], detail: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(entries.map((e) => e.status)).toEqual(['error']);
  expect(entries[0]?.detail).toMatch(detail);
  expect(run.stderr).toMatch(detail);
}

describe.concurrent('hostile violation records', () => {
  it('inputFile climbing out of the corpus (../../..) is an error entry in --regression, never read', async () => {
    const dir = await project();
    const violations = path.join(dir, 'corpora/fixture-data/violations');
    await record(dir, (r) => ({ ...r, inputFile: path.relative(violations, secretFile) }));
    const { run, entries } = await regression(dir);
    expectErrorEntry(run, entries, /field inputFile: .*plain file name/);
  });

  it('an absolute inputFile makes replay exit 2 naming the file, the field and the fix', async () => {
    const dir = await project();
    const meta = await record(dir, (r) => ({ ...r, inputFile: secretFile }));
    const run = await replay(dir, meta);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(path.basename(meta));
    expect(run.stderr).toMatch(/field inputFile: .*plain file name[\s\S]*fix: /);
  });

  it('an inputFile that is a symlink to a file outside is refused after resolving it', async () => {
    const dir = await project();
    const meta = await record(dir, (r) => ({ ...r, inputFile: 'leak.input' }));
    await symlink(secretFile, path.join(dir, 'corpora/fixture-data/violations/leak.input'));
    const run = await replay(dir, meta);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/field inputFile: "leak\.input" leads outside/);
    const { run: reg, entries } = await regression(dir);
    expectErrorEntry(reg, entries, /leads outside/);
  });

  it('a record file that is itself a symlink to a secret is refused, its text never parsed into a message', async () => {
    const dir = await project();
    const violations = path.join(dir, 'corpora/fixture-data/violations');
    await mkdir(violations, { recursive: true });
    await symlink(secretFile, path.join(violations, 'aaaa.json'));
    const run = await replay(dir, 'corpora/fixture-data/violations/aaaa.json');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/aaaa\.json: field \(file\): .*leads outside/);
  });

  it('a violations/ folder that is a symlink to a folder outside is reported, nothing in it is read', async () => {
    const dir = await project();
    const outside = await mkdtemp(path.join(secretDir, 'violations-'));
    const { metaFile } = await new CorpusStore(path.join(dir, 'corpora/fixture-data')).saveViolation(new Uint8Array(Buffer.from(MARKER)), fields);
    await copyFile(metaFile, path.join(outside, path.basename(metaFile)));
    await copyFile(metaFile.replace(/\.json$/, '.input'), path.join(outside, path.basename(metaFile).replace(/\.json$/, '.input')));
    await rm(path.dirname(metaFile), { recursive: true });
    await symlink(outside, path.dirname(metaFile));
    const { run, entries } = await regression(dir);
    expectErrorEntry(run, entries, /symlink that leads outside/);
    const direct = await replay(dir, path.relative(dir, metaFile));
    expect(direct.code, direct.stderr).toBe(2);
    expect(direct.stderr).toMatch(/symlink that leads outside/);
  });

  it('replay refuses a scenarioFile outside the project scenarios/ folder: exit 2, the file is never imported', async () => {
    const dir = await project();
    const meta = await record(dir, (r) => ({ ...r, scenarioFile: path.relative(path.join(dir, 'corpora/fixture-data/violations'), evilScenario) }));
    const run = await replay(dir, meta);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/field scenarioFile: the record names a scenario file outside the project's scenarios folder/);
    expect(run.stderr).toMatch(/fix: .*slo-harness run <scenario file> --regression/);
    expect(existsSync(executedMarker)).toBe(false);
  });

  it('--regression reports a record naming another scenario file as an error and never runs it', async () => {
    const dir = await project();
    await record(dir, (r) => ({ ...r, scenarioFile: evilScenario }));
    const { run, entries } = await regression(dir);
    expectErrorEntry(run, entries, /names scenario file .*evil\.scenario\.mjs.*it is not replayed/);
    expect(existsSync(executedMarker)).toBe(false);
  });

  it('--regression reports a record naming another scenario as an error and skips it', async () => {
    const dir = await project();
    await record(dir, (r) => ({ ...r, scenario: 'someone-else' }));
    const { run, entries } = await regression(dir);
    expectErrorEntry(run, entries, /names scenario "someone-else", not "fixture-data"/);
  });

  it('a garbage record is an error entry in --regression and exit 2 in replay, naming the file and the fix', async () => {
    const dir = await project();
    const meta = await record(dir, () => '{"schema": "slo-harness/violation", "id": ');
    const { run, entries } = await regression(dir);
    expectErrorEntry(run, entries, /invalid violation file .*: not valid JSON/);
    const direct = await replay(dir, meta);
    expect(direct.code, direct.stderr).toBe(2);
    expect(direct.stderr).toMatch(/not valid JSON[\s\S]*fix: /);
  });

  it('huge (1e999) and NaN latencies are refused with the field named', async () => {
    const dir = await project();
    const huge = await record(dir, (r) => JSON.stringify(r).replace('"latencyMs":120', '"latencyMs":1e999'));
    const direct = await replay(dir, huge);
    expect(direct.code, direct.stderr).toBe(2);
    expect(direct.stderr).toMatch(/field latencyMs: /);
    await record(dir, (r) => JSON.stringify(r).replace('"latencyMs":120', '"latencyMs":NaN'), 'another SLOW input');
    const { run, entries } = await regression(dir);
    expect(run.code, run.stderr).toBe(1);
    expect(entries.map((e) => e.status)).toEqual(['error', 'error']);
    const details = entries.map((e) => e.detail).join('\n');
    expect(details).toMatch(/field latencyMs: /);
    expect(details).toMatch(/not valid JSON/);
  });
});

describe.concurrent('hostile seeds', () => {
  it('a seed that is a symlink to a secret is skipped with a warning naming it; the run goes on', async () => {
    const dir = await project();
    await writeFile(path.join(dir, 'corpora/fixture-data/plain'), 'hello');
    await symlink(secretFile, path.join(dir, 'corpora/fixture-data/leak'));
    const run = await runCli(['run', 'scenarios/data.scenario.ts', '--budget', '1s', '--out', 'out', ...RUN], dir);
    await expectNoLeak(run, path.join(dir, 'out'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: corpus file .*fixture-data\/leak skipped: it is a symlink that leads outside/);
  });

  it('a truncated .json seed of an arbitrary-input scenario is skipped with a warning; later scenarios still run', async () => {
    const dir = await project(['arb-seeds.scenario.ts.txt']);
    const corpus = path.join(dir, 'corpora/fixture-arb-seeds');
    await mkdir(corpus, { recursive: true });
    await writeFile(path.join(corpus, 'good.json'), '[1, 2, 3]');
    await writeFile(path.join(corpus, 'broken.json'), '[1, 2, {"a": ');
    const run = await runCli(['run', 'scenarios/', '--budget', '1s', '--out', 'out', ...RUN], dir);
    await expectNoLeak(run, path.join(dir, 'out'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: corpus file .*fixture-arb-seeds\/broken\.json skipped: it is not valid JSON/);
    const results = JSON.parse(await readFile(path.join(dir, 'out/results.json'), 'utf8')) as ResultsFile;
    expect(results.scenarios.map((s) => [s.name, s.status]).sort()).toEqual([['fixture-arb-seeds', 'complete'], ['fixture-data', 'complete']]);
  });
});

describe('hostile results files', () => {
  let dir: string;
  let base: ResultsFile;

  beforeAll(async () => {
    dir = await project();
    const run = await runCli(['run', 'scenarios/data.scenario.ts', '--regression', '--out', 'base', ...RUN], dir);
    expect(run.code, run.stderr).toBe(0);
    base = JSON.parse(await readFile(path.join(dir, 'base/results.json'), 'utf8')) as ResultsFile;
  });

  /** A results file whose every path field points at the secret. */
  function pointingAtSecret(): ResultsFile {
    const copy = structuredClone(base);
    const s = copy.scenarios[0]!;
    s.file = secretFile;
    s.input.corpusDir = secretDir;
    s.findings = [{
      id: 'deadbeef', kind: 'slow', latencyMs: 50, budgetMs: 20, message: null, stack: null,
      input: { encoding: 'utf8', size: 3, preview: 'abc', hexPreview: '616263', file: secretFile },
      metaFile: secretJson, replay: `npx slo-harness replay ${secretJson}`, firstSeenAt: '2026-01-01T00:00:00.000Z', occurrences: 1,
    }];
    s.regression = { replayed: 1, stillFailing: 0, fixed: 0, errors: 1, entries: [{ id: 'x', kind: 'slow', metaFile: secretFile, latenciesMs: [], medianMs: 0, budgetMs: 20, status: 'error', detail: 'x' }] };
    return copy;
  }

  it('`report` on a results.json whose paths point at a secret renders without reading them', async () => {
    await writeFile(path.join(dir, 'hostile.json'), JSON.stringify(pointingAtSecret()));
    const run = await runCli(['report', 'hostile.json', '--out', 'rendered'], dir);
    expect(run.code, run.stderr).toBe(0);
    await expectNoLeak(run, path.join(dir, 'rendered'));
    // Shown as a path, which is all it is.
    expect(await readFile(path.join(dir, 'rendered/index.html'), 'utf8')).toContain(path.basename(secretFile));
  });

  it('--baseline with secret paths compares without reading them; a baseline that is a symlink to a secret is exit 2 without its text', async () => {
    await writeFile(path.join(dir, 'hostile-base.json'), JSON.stringify(pointingAtSecret()));
    const run = await runCli(['report', 'base/results.json', '--out', 'compared', '--baseline', 'hostile-base.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    await expectNoLeak(run, path.join(dir, 'compared'));
    await symlink(secretFile, path.join(dir, 'linked-base.json'));
    const linked = await runCli(['run', 'scenarios/data.scenario.ts', '--regression', '--out', 'linked', '--baseline', 'linked-base.json', ...RUN], dir);
    expect(linked.code, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/linked-base\.json: not valid JSON/);
    await expectNoLeak(linked, path.join(dir, 'linked'));
  });
});

/**
 * Full and read-only disks against the real CLI: folders the run cannot write into stop
 * it before it starts (exit 2, naming the folder and the fix); a disk that fills during
 * the run costs only the files that no longer fit, which stderr names, with exit 2: no
 * crash, no half-written finding, no temporary file, and the previous report left whole.
 * Full and read-only disks are tiny tmpfs mounts (root only: CI runs as root).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountTmpfs, tmpfsSkipReason, type Tmpfs } from '../support/io-faults.ts';
import { writeReportFiles } from '../../harness/report/write.ts';
import type { ResultsFile } from '../../harness/core/results-schema.ts';
import { makeResultsFixture } from '../report/fixtures.ts';
import { makeProject, runCli, startCli } from '../support/cli.ts';

const skip = tmpfsSkipReason();
const RUN_STARTED = /scenario\(s\), seed/;
const TRIPLE = ['results.json', 'index.html', 'junit.xml'];

/** A scenario file (inside the project, so `import 'slo-harness'` resolves to this package). */
function scenarioSource(name: string, body: { target: string; input: string; slo: string; extra?: string }): string {
  return `import { defineScenario } from 'slo-harness';\nexport default defineScenario({\n  name: '${name}',\n  target: ${body.target},\n  input: ${body.input},\n  slo: ${body.slo},\n  ${body.extra ?? ''}\n});\n`;
}

const PASS_TARGET = scenarioSource('disk-pass', { target: '(input: Buffer) => input.length', input: "{ type: 'bytes', maxLength: 16 }", slo: "{ p99: '50ms' }" });

async function tempsUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.tmp'));
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

let project = '';
const mounts: Tmpfs[] = [];

function mount(name: string, sizeKb: number): Tmpfs {
  const fs = mountTmpfs(path.join(project, 'mnt', name), sizeKb);
  mounts.push(fs);
  return fs;
}

beforeAll(async () => {
  project = await makeProject([]);
  await writeFile(path.join(project, 'scenarios', 'pass.scenario.ts'), PASS_TARGET);
});

afterAll(async () => {
  for (const fs of mounts) fs.unmount();
  await rm(project, { recursive: true, force: true });
});

describe.concurrent('pre-flight: folders the run cannot write into stop it before it starts', () => {
  it('an --out path that is a file: exit 2, naming the path and the fix', async () => {
    await writeFile(path.join(project, 'a-file'), 'x');
    const run = await runCli(['run', 'scenarios/pass.scenario.ts', '--budget', '1s', '--out', 'a-file/report', '--quiet'], project);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/report folder a-file\/report \(--out\) is not writable: .*\n {2}fix: pass --out a folder on a writable disk/);
    expect(run.stderr).not.toMatch(RUN_STARTED);
  });

  it.skipIf(skip !== null)(`a read-only --out (read-only tmpfs): exit 2 before the run, naming the path${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const fs = mount('ro-out', 64);
    fs.setReadOnly(true);
    const run = await runCli(['run', 'scenarios/pass.scenario.ts', '--budget', '1s', '--out', 'mnt/ro-out/reports', '--quiet'], project);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('report folder mnt/ro-out/reports (--out) is not writable: read-only file system (EROFS)');
    expect(run.stderr).toContain('fix: pass --out a folder on a writable disk with free space');
    expect(run.stderr).not.toMatch(RUN_STARTED);
    expect(run.stderr).not.toContain('internal error');
  });

  it.skipIf(skip !== null)(`a read-only corpus folder: exit 2 before the run, naming the folder, the scenario and the fix${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const fs = mount('ro-corpus', 64);
    await mkdir(path.join(fs.dir, 'violations'));
    fs.setReadOnly(true);
    await writeFile(path.join(project, 'scenarios', 'ro-corpus.scenario.ts'), scenarioSource('ro-corpus', { target: '(input: Buffer) => input.length', input: `{ type: 'bytes', maxLength: 16, corpus: ${JSON.stringify(fs.dir)} }`, slo: "{ p99: '50ms' }" }));
    const run = await runCli(['run', 'scenarios/ro-corpus.scenario.ts', '--budget', '1s', '--out', 'reports/ro-corpus', '--quiet'], project);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('corpus folder mnt/ro-corpus of scenario ro-corpus (scenarios/ro-corpus.scenario.ts) is not writable: read-only file system (EROFS)');
    expect(run.stderr).toContain('fix: make mnt/ro-corpus writable (or free space on its disk), or set input.corpus in scenarios/ro-corpus.scenario.ts to a writable folder');
    expect(run.stderr).not.toMatch(RUN_STARTED);
    // A replay-only regression run saves nothing in the corpus: the same folder does not stop it.
    const replay = await runCli(['run', 'scenarios/ro-corpus.scenario.ts', '--regression', '--out', 'reports/ro-corpus-replay', '--quiet'], project);
    expect(replay.stderr).not.toContain('not writable');
    expect(replay.code).toBe(0);
  });

  it.skipIf(skip !== null)(`\`slo-harness report\` into a read-only --out: exit 2 naming the file, nothing replaced${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const previous = makeResultsFixture({ calls: 100, findings: 0, optionalSections: false });
    await writeReportFiles(previous, path.join(project, 'reports/source'));
    const fs = mount('ro-report', 64);
    fs.setReadOnly(true);
    const run = await runCli(['report', 'reports/source/results.json', '--out', 'mnt/ro-report'], project);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot write \S*\/mnt\/ro-report\/results\.json: read-only file system \(EROFS\); nothing there was replaced\n {2}fix: /);
    expect(await readdir(fs.dir)).toEqual([]);
  });
});

// Each case has its own mounts, scenario file and report folder: they run side by side.
describe.concurrent('a disk that fills during the run', () => {
  it('a healthy disk: the three report files are written whole, from one run, with no temporary file (sanity)', async () => {
    const run = await runCli(['run', 'scenarios/pass.scenario.ts', '--budget', '1s', '--seed', '5', '--out', 'reports/healthy', '--quiet'], project);
    expect(run.stderr).not.toContain('could not be written');
    expect(run.code).toBe(0);
    const out = path.join(project, 'reports/healthy');
    expect((await readdir(out)).sort()).toEqual(['index.html', 'junit.xml', 'results.json']);
    const results = await readJson<ResultsFile>(path.join(out, 'results.json'));
    expect(results.run.exitCode).toBe(0);
    expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain(results.run.id);
    expect(await readFile(path.join(out, 'junit.xml'), 'utf8')).toContain('disk-pass');
  });

  it.skipIf(skip !== null)(`--out on a tmpfs too full for the report: exit 2 naming the three files, the previous report intact, no temporary file${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const fs = mount('full-out', 512);
    const previous = makeResultsFixture({ calls: 100, findings: 0, optionalSections: false });
    previous.run.id = 'previous-night';
    await writeReportFiles(previous, fs.dir);
    const before = await Promise.all(TRIPLE.map((n) => readFile(path.join(fs.dir, n), 'utf8')));
    fs.fillLeaving(8192); // room for the pre-flight probe, not for a report
    const run = await runCli(['run', 'scenarios/pass.scenario.ts', '--budget', '1s', '--seed', '5', '--out', 'mnt/full-out'], project);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    for (const name of TRIPLE) expect(run.stderr).toMatch(new RegExp(`report file ${name.replace('.', '\\.')} \\(the previous one there, if any, is unchanged\\): mnt/full-out/${name.replace('.', '\\.')} \\(no space left on device, ENOSPC\\)`));
    expect(run.stdout).toContain('report: not written');
    expect(await Promise.all(TRIPLE.map((n) => readFile(path.join(fs.dir, n), 'utf8')))).toEqual(before);
    expect((await readJson<ResultsFile>(path.join(fs.dir, 'results.json'))).run.id).toBe('previous-night');
    expect(await readFile(path.join(fs.dir, 'index.html'), 'utf8')).toContain('previous-night');
    expect(await tempsUnder(fs.dir)).toEqual([]);
  });

  it.skipIf(skip !== null)(`a corpus on a tmpfs that fills while findings are saved: no crash, saved findings complete, lost ones named, exit 2${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    // 30 seeds that each throw an error of their own (errors are one finding per type and
    // place): about 30 findings in the first moments of the run, an input and a metadata
    // file each (a page apiece on tmpfs), on a disk with room for the seeds and 50 pages.
    const fs = mount('full-corpus', 30 * 4 + 50 * 4);
    for (let i = 0; i < 30; i++) await writeFile(path.join(fs.dir, `seed-${i}`), `boom-${String(i).padStart(2, '0')}`);
    await writeFile(
      path.join(project, 'scenarios', 'thrower.scenario.ts'),
      scenarioSource('disk-thrower', {
        target: "(input: string) => { if (/^boom-\\d\\d$/.test(input)) throw Object.assign(new Error(`target rejects ${input}`), { name: `Boom${input.slice(5)}` }); return input.length; }",
        input: `{ type: 'string', maxLength: 16, corpus: ${JSON.stringify(fs.dir)} }`,
        slo: "{ p99: '50ms' }",
      }),
    );
    const run = await runCli(['run', 'scenarios/thrower.scenario.ts', '--budget', '1s', '--seed', '9', '--out', 'reports/full-corpus', '--quiet'], project);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/file\(s\) could not be written; what was saved before is intact/);
    const results = await readJson<ResultsFile>(path.join(project, 'reports/full-corpus/results.json'));
    expect(results.run.exitCode).toBe(2);
    const findings = results.scenarios[0]!.findings;
    expect(findings.length).toBeGreaterThanOrEqual(10);
    let saved = 0;
    for (const finding of findings) {
      const meta = path.join(project, finding.metaFile);
      if (existsSync(meta)) {
        saved++;
        const record = await readJson<{ inputFile: string; inputSize: number }>(meta);
        expect((await readFile(path.join(path.dirname(meta), record.inputFile))).length, finding.id).toBe(record.inputSize);
      } else {
        expect(run.stderr, `lost finding ${finding.id} is named`).toContain(`finding ${finding.id}`);
      }
    }
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(findings.length);
    expect(await tempsUnder(fs.dir)).toEqual([]);
  });

  it.skipIf(skip !== null)(`a disk that fills during minimisation: the run goes on, the found input stays, what minimisation could not save is named, exit 2${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const fs = mount('minimise', 256);
    // A hang on short inputs holding "HANG": found at once from the seed, confirmed for
    // sure in the probe (a call killed at the timeout), and the growth fit's longer inputs
    // return at once, so minimisation stays short. It always writes: the minimised input,
    // or the original's record with its first-call latencies.
    await writeFile(path.join(fs.dir, 'seed'), 'HANGxyz');
    await writeFile(
      path.join(project, 'scenarios', 'hang.scenario.ts'),
      scenarioSource('disk-hang', {
        target: "(input: string) => { if (input.includes('HANG') && input.length <= 8) { const end = performance.now() + 5000; while (performance.now() < end); } return 0; }",
        input: `{ type: 'string', maxLength: 64, corpus: ${JSON.stringify(fs.dir)} }`,
        slo: "{ p99: '200ms', perCall: '100ms' }",
        extra: "timeout: '300ms',",
      }),
    );
    const cli = startCli(['run', 'scenarios/hang.scenario.ts', '--budget', '1s', '--seed', '3', '--out', 'reports/minimise', '--quiet'], project);
    // The disk fills once the first finding is saved whole, long before minimisation saves.
    const violations = path.join(fs.dir, 'violations');
    while (!(await readdir(violations).catch(() => [] as string[])).some((n) => n.endsWith('.json'))) await new Promise((r) => setTimeout(r, 10));
    fs.fillLeaving(0);
    const run = await cli.done;
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/(minimised input [0-9a-f]{20} \(\d+ B\)|minimisation record) of finding [0-9a-f]{20}[^\n]*: mnt\/minimise\/\S+ \(no space left on device, ENOSPC\)/);
    const results = await readJson<ResultsFile>(path.join(project, 'reports/minimise/results.json'));
    expect(results.scenarios[0]!.minimisation?.confirmed).toBeGreaterThan(0);
    const kept = results.scenarios[0]!.findings.filter((f) => existsSync(path.join(project, f.metaFile)));
    expect(kept.length).toBeGreaterThan(0);
    for (const finding of kept) {
      const record = await readJson<{ inputFile: string; inputSize: number }>(path.join(project, finding.metaFile));
      expect((await readFile(path.join(fs.dir, 'violations', record.inputFile))).length).toBe(record.inputSize);
    }
    expect(await tempsUnder(fs.dir)).toEqual([]);
  });
});

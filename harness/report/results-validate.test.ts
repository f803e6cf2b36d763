import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHostileFixture, makeResultsFixture } from '../../test/report/fixtures.ts';
import { compareWithBaseline } from './baseline.ts';
import { fieldPath } from '../core/validation.ts';
import { ResultsFileError, parseResultsFile, readResultsFile } from './results-validate.ts';

describe('parseResultsFile', () => {
  const results = makeResultsFixture({ calls: 3000 });

  it('accepts a complete results file, optional sections included, and returns it unchanged', () => {
    const withBaseline = { ...results, baseline: compareWithBaseline(results, results) };
    const json = JSON.parse(JSON.stringify(withBaseline));
    expect(parseResultsFile(json, 'r.json')).toEqual(json);
    expect(() => parseResultsFile(JSON.parse(JSON.stringify(makeHostileFixture())), 'h.json')).not.toThrow();
  });

  it('keeps fields it does not know (files from a newer harness that only added fields)', () => {
    const json = JSON.parse(JSON.stringify(results));
    json.scenarios[0].futureField = { x: 1 };
    expect((parseResultsFile(json, 'r.json').scenarios[0] as unknown as { futureField: unknown }).futureField).toEqual({ x: 1 });
    json.scenarios[0].findings[0].stacks.topSelf[0].futureField = 'deep';
    expect(parseResultsFile(json, 'r.json')).toEqual(json);
  });

  it('names the file and the exact field of a wrong value', () => {
    const json = JSON.parse(JSON.stringify(results));
    json.scenarios[1].slos[0].verdict = 'MAYBE';
    expect(() => parseResultsFile(json, 'runs/a.json')).toThrow(ResultsFileError);
    try {
      parseResultsFile(json, 'runs/a.json');
    } catch (error) {
      const e = error as ResultsFileError;
      expect(e.file).toBe('runs/a.json');
      expect(e.field).toBe('scenarios[1].slos[0].verdict');
      expect(e.message).toMatch(/^results file runs\/a\.json: field scenarios\[1\]\.slos\[0\]\.verdict: /);
    }
  });

  it('checks the optional sections other phases add, naming the broken field', () => {
    const cases: Array<[(json: any) => void, string]> = [
      [(j) => delete j.scenarios[1].service.errors, 'scenarios[1].service.errors'],
      [(j) => (j.scenarios[0].regression.entries[0].status = 'flaky'), 'scenarios[0].regression.entries[0].status'],
      [(j) => (j.scenarios[0].chaos.injected.perCall.p99Ms = '3ms'), 'scenarios[0].chaos.injected.perCall.p99Ms'],
      [(j) => (j.scenarios[0].findings[0].stacks.foldedOther = { stacks: -1, count: 3 }), 'scenarios[0].findings[0].stacks.foldedOther.stacks'],
      [(j) => (j.scenarios[1].breakingPoint.boundary = { lo: 1 }), 'scenarios[1].breakingPoint.boundary.hi'],
    ];
    for (const [damage, field] of cases) {
      const json = JSON.parse(JSON.stringify(results));
      damage(json);
      expect(() => parseResultsFile(json, 'r.json'), field).toThrow(`field ${field}:`);
    }
  });

  it('names a missing required field', () => {
    const json = JSON.parse(JSON.stringify(results));
    delete json.run.seed;
    expect(() => parseResultsFile(json, 'r.json')).toThrow(/field run\.seed/);
  });

  it('refuses another schema or version with a message saying which', () => {
    expect(() => parseResultsFile({ schema: 'k6/summary', version: 1 }, 'r.json')).toThrow(/field schema: expected "slo-harness\/results"/);
    expect(() => parseResultsFile({ ...results, version: 2 }, 'r.json')).toThrow(/field version: version 2 is not supported .* newer slo-harness/);
    expect(() => parseResultsFile([], 'r.json')).toThrow(/expected a JSON object/);
  });

  it('formats zod paths like a JS accessor', () => {
    expect(fieldPath(['scenarios', 0, 'findings', 3, 'input', 'size'])).toBe('scenarios[0].findings[3].input.size');
  });
});

describe('readResultsFile', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slo-report-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, JSON.stringify(makeResultsFixture({ calls: 2000 })));
    expect((await readResultsFile(path)).run.id).toBe('2025-01-01T03-00-00Z-nightly');
  });

  it('says when the file is missing or not JSON', async () => {
    await expect(readResultsFile(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: not found/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"schema":');
    await expect(readResultsFile(bad)).rejects.toThrow(/bad\.json: not valid JSON/);
  });
});

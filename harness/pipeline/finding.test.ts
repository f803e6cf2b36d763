import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFinding, replayCommand, type FindingSource } from './finding.ts';

const cwd = '/project';
const source: FindingSource = {
  id: 'abc',
  kind: 'slow',
  latencyMs: 12,
  budgetMs: 5,
  message: null,
  stack: null,
  input: new TextEncoder().encode('a\nb'),
  encoding: 'utf8',
  inputFile: path.join(cwd, 'corpora/s/violations/abc.input'),
  metaFile: path.join(cwd, 'corpora/my s/violations/abc.json'),
  cwd,
  replay: { cli: 'npx slo-harness' },
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  occurrences: 1,
};

describe('buildFinding', () => {
  it('shows paths relative to cwd, quotes the replay command and keeps results.json key order', () => {
    const f = buildFinding(source);
    expect(Object.keys(f)).toEqual(['id', 'kind', 'latencyMs', 'budgetMs', 'message', 'stack', 'input', 'metaFile', 'replay', 'firstSeenAt', 'occurrences']);
    expect(f.input).toEqual({ encoding: 'utf8', size: 3, preview: expect.any(String), hexPreview: '61 0a 62', file: 'corpora/s/violations/abc.input' });
    expect(f.metaFile).toBe('corpora/my s/violations/abc.json');
    expect(f.replay).toBe(replayCommand('npx slo-harness', 'corpora/my s/violations/abc.json'));
    expect(f.replay).toBe("npx slo-harness replay 'corpora/my s/violations/abc.json'");
  });

  it('places injected delay after the budget, only when known, and takes a given replay command as is', () => {
    const f = buildFinding({ ...source, injectedMs: 3, replay: { command: 'slo-harness run s.ts --seed 1' } });
    expect(Object.keys(f).slice(3, 6)).toEqual(['budgetMs', 'injectedMs', 'message']);
    expect(f.replay).toBe('slo-harness run s.ts --seed 1');
    expect('injectedMs' in buildFinding({ ...source, injectedMs: undefined })).toBe(false);
  });

  it('keeps absolute paths outside cwd', () => {
    expect(buildFinding({ ...source, inputFile: '/elsewhere/x.input' }).input.file).toBe('/elsewhere/x.input');
  });
});

/**
 * The module structure of the harness, checked on every run of the suite: no import cycle,
 * no import that points up the layer order (see test/support/import-graph.ts and the README's
 * "Architecture" section), no source file over 400 lines and no function over 80 lines.
 */
import { describe, expect, it } from 'vitest';
import { importCycles, longFunctions, readHarness, upwardImports } from './support/import-graph.ts';
import { REPO } from './support/cli.ts';

const files = readHarness(REPO);

describe('architecture of harness/', () => {
  it('reads the whole harness (a sanity check on the reader itself)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.every((f) => f.layer >= 0), files.filter((f) => f.layer < 0).map((f) => f.file).join('\n')).toBe(true);
    expect(files.some((f) => f.imports.length > 0)).toBe(true);
  });

  it('has no import cycle', () => {
    expect(importCycles(files).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('has no import that points up the layers', () => {
    expect(upwardImports(files).map((u) => `${u.from} -> ${u.to} (${u.fromFolder || 'root'} -> ${u.toFolder || 'root'})`)).toEqual([]);
  });

  it('has no source file over 400 lines', () => {
    expect(files.filter((f) => f.lines > 400).map((f) => `${f.file}: ${f.lines} lines`)).toEqual([]);
  });

  it('has no function over 80 lines', () => {
    expect(longFunctions(REPO, files, 80).map((f) => `${f.file}:${f.line} ${f.name}: ${f.lines} lines`)).toEqual([]);
  });
});

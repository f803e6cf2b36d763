import { describe, expect, it } from 'vitest';
import { shortenLocation } from './frames.ts';
import { sourceMappedLocation } from './source-maps.ts';

/** A stand-in for Node's registry: one file whose generated line 1 holds source lines 10+. */
const registry = (url: string): { findEntry(line: number, column: number): object } | undefined =>
  url === 'file:///app/target.ts'
    ? { findEntry: (line, column) => (line === 0 && column >= 100 ? { originalSource: 'file:///app/target.ts', originalLine: 11, originalColumn: 2 } : {}) }
    : undefined;

describe('sourceMappedLocation', () => {
  it('maps a generated url:line:col (1-based) through the source map to the source line', () => {
    expect(sourceMappedLocation('file:///app/target.ts:1:220', registry)).toBe('file:///app/target.ts:12:3');
  });

  it('finds a map registered under the URL when the frame names a path', () => {
    expect(sourceMappedLocation('/app/target.ts:1:150', registry)).toBe('file:///app/target.ts:12:3');
  });

  it('leaves positions without a map or without a mapping entry alone', () => {
    expect(sourceMappedLocation('file:///app/other.js:3:4', registry)).toBeUndefined();
    expect(sourceMappedLocation('file:///app/target.ts:1:5', registry)).toBeUndefined();
    expect(sourceMappedLocation('node:internal/modules/run_main:123:5', registry)).toBeUndefined();
    expect(sourceMappedLocation('not a location', registry)).toBeUndefined();
  });

  it('is applied before a location is shortened', () => {
    const mapLocation = (l: string): string | undefined => sourceMappedLocation(l, registry);
    expect(shortenLocation('file:///app/target.ts:1:220', { pathRoot: '/app', mapLocation })).toBe('target.ts:12:3');
  });
});

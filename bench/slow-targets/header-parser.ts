/**
 * An HTTP-style header block parser written in an immutable, reducer style: a new header
 * is added with `[...headers, header]`, a repeated one gets `[...values, value]`, after a
 * linear `find`. Every copy and lookup is linear in what was parsed so far: quadratic in
 * the number of header lines, whether the names repeat or not.
 */
import type { SlowTargetMeta } from './types.ts';

export interface Header {
  name: string;
  values: readonly string[];
}

export function parseHeaders(text: string): readonly Header[] {
  let headers: readonly Header[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === '' || /[^a-z0-9-]/.test(name)) continue;
    const value = line.slice(colon + 1).trim();
    const existing = headers.find((h) => h.name === name);
    headers = existing
      ? headers.map((h) => (h === existing ? { name, values: [...h.values, value] } : h))
      : [...headers, { name, values: value === '' ? [] : [value] }];
  }
  return headers;
}

export function fuzz(data: Buffer): void {
  parseHeaders(data.toString('latin1'));
}

export const meta: SlowTargetMeta = {
  name: 'header-parser',
  description: 'header block parser with [...spread] appends and linear duplicate lookups, quadratic in header lines',
  budgetMs: 10,
  maxLength: 65536,
  growth: 'polynomial',
  smallestKnownViolatingSize: 10788,
  worstCase: (n) => Buffer.from('a:\n'.repeat(n), 'latin1'),
};

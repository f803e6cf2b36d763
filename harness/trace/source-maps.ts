/**
 * Source positions for JS frames of TypeScript targets. tsx compiles a scenario file (and the
 * TypeScript it imports) into code whose positions are not the file's: without this, frames
 * read `parseHeader (scenario.ts:1:220)`. The harness process loads the same files through the
 * same tsx (identical, cached output), so Node's source-map registry here (`findSourceMap`,
 * which tsx fills by enabling source maps) maps a sampled position back to its line.
 * Positions in files this process never loaded (a service's own code, node_modules JS) are
 * left as they are.
 */
import { findSourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LOCATION = /^(.*):(\d+):(\d+)$/;

type Finder = (url: string) => { findEntry(line: number, column: number): object } | undefined;

/** `url:line:col` (1-based) -> the same in the source file, or undefined when no source map covers it. */
export function sourceMappedLocation(location: string, find: Finder = findSourceMap): string | undefined {
  const match = LOCATION.exec(location);
  if (!match || match[1] === undefined) return undefined;
  const url = match[1];
  const map = lookup(url, find);
  if (!map) return undefined;
  const entry = map.findEntry(Number(match[2]) - 1, Number(match[3]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  const source = entry.originalSource && entry.originalSource.length > 0 ? entry.originalSource : url;
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

function lookup(url: string, find: Finder): ReturnType<Finder> {
  try {
    if (url.startsWith('file://')) return find(url) ?? find(fileURLToPath(url));
    if (url.startsWith('/')) return find(url) ?? find(pathToFileURL(url).href);
  } catch {
    // not a file path or URL
  }
  return undefined;
}

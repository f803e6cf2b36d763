/**
 * Placeholders in service and dependency argv: which are known, and which dependencies an
 * argv names. The scenario schema checks them when the file loads; the HTTP driver fills
 * them (drivers/http/placeholders.ts) when it spawns the processes. Pure.
 *
 *   {port}        the free loopback port the process must listen on
 *   {dep.<name>}  host:port of dependency <name> as seen through its chaos proxy
 *   {node}        the Node.js binary running the harness
 */

/** What may stand between the braces of a known placeholder. */
const KEY = String.raw`port|node|dep\.[A-Za-z0-9_-]+`;
/** Every known placeholder, the key (`port`, `node`, `dep.<name>`) captured. Global: use with matchAll or replace. */
export const PLACEHOLDER_RE = new RegExp(String.raw`\{(${KEY})\}`, 'g');
const KNOWN_KEY_RE = new RegExp(`^(${KEY})$`);
const ANY_BRACE_RE = /\{([^{}]*)\}/g;

/** Every `{...}` in the argv that is not a known placeholder shape (for validation messages). */
export function unknownPlaceholders(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    for (const match of arg.matchAll(ANY_BRACE_RE)) {
      if (!KNOWN_KEY_RE.test(match[1] ?? '')) out.push(match[0]);
    }
  }
  return out;
}

/** Dependency names referenced by `{dep.<name>}` placeholders. */
export function referencedDependencies(argv: readonly string[]): string[] {
  const names = new Set<string>();
  for (const arg of argv) for (const match of arg.matchAll(PLACEHOLDER_RE)) {
    const key = match[1] ?? '';
    if (key.startsWith('dep.')) names.add(key.slice(4));
  }
  return [...names];
}

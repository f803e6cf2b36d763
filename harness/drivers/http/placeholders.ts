/**
 * Placeholders in service and dependency argv (pure). Each argv element is filled on its
 * own, so a value can never split into extra arguments or reach a shell: the process is
 * spawned with the argv array as is.
 *
 *   {port}        the free loopback port the process must listen on
 *   {dep.<name>}  host:port of dependency <name> as seen through its chaos proxy
 *   {node}        the Node.js binary running the harness
 */

const PLACEHOLDER_RE = /\{(port|node|dep\.[A-Za-z0-9_-]+)\}/g;
const ANY_BRACE_RE = /\{([^{}]*)\}/g;

export interface PlaceholderValues {
  port?: number;
  node?: string;
  /** Dependency name -> proxied `host:port`. */
  deps?: Readonly<Record<string, string>>;
}

/** Every `{...}` in the argv that is not a known placeholder shape (for validation messages). */
export function unknownPlaceholders(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    for (const match of arg.matchAll(ANY_BRACE_RE)) {
      const inner = match[1] ?? '';
      if (!/^(port|node|dep\.[A-Za-z0-9_-]+)$/.test(inner)) out.push(match[0]);
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

/** Fills the placeholders of each element; throws naming the placeholder when a value is missing. */
export function fillPlaceholders(argv: readonly string[], values: PlaceholderValues): string[] {
  return argv.map((arg) =>
    arg.replace(PLACEHOLDER_RE, (whole, key: string) => {
      if (key === 'port') {
        if (values.port === undefined) throw new Error(`${whole}: no port was assigned`);
        return String(values.port);
      }
      if (key === 'node') return values.node ?? process.execPath;
      const name = key.slice(4);
      const address = values.deps?.[name];
      if (address === undefined) throw new Error(`${whole}: no dependency named ${JSON.stringify(name)}`);
      return address;
    }),
  );
}

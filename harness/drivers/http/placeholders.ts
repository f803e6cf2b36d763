/**
 * Filling the placeholders of service and dependency argv. Each argv element is filled on
 * its own, so a value can never split into extra arguments or reach a shell: the process is
 * spawned with the argv array as is. Which placeholders exist ({port}, {node},
 * {dep.<name>}) and the load-time checks of them are the scenario layer's
 * (scenario/placeholders.ts).
 */
import { PLACEHOLDER_RE } from '../../scenario/placeholders.ts';

export { referencedDependencies, unknownPlaceholders } from '../../scenario/placeholders.ts';

export interface PlaceholderValues {
  port?: number;
  node?: string;
  /** Dependency name -> proxied `host:port`. */
  deps?: Readonly<Record<string, string>>;
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

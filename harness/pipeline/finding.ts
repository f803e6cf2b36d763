/**
 * The one place a `Finding` (results.json) is built from an input and its saved files:
 * the input's previews, paths relative to the working directory and the replay command are
 * derived the same way whichever phase found it (fuzzing, a service death, minimisation,
 * a regression replay). Fields are set in results.json's order.
 */
import type { Finding, FindingKind } from '../core/results-schema.ts';
import type { InputEncoding } from '../engine/feeders.ts';
import { hexPreview, previewInput } from '../engine/input-preview.ts';
import { relativeToCwd, shellQuote } from '../core/display-path.ts';

/** What a finding is made of; paths are absolute, the builder makes them relative to `cwd`. */
export interface FindingSource {
  id: string;
  kind: FindingKind;
  latencyMs: number;
  budgetMs: number;
  /** Injected dependency delay of the call (ms); omitted from the finding when undefined. */
  injectedMs?: number | undefined;
  message: string | null;
  stack: string | null;
  input: Uint8Array;
  encoding: InputEncoding;
  /** Where the input and its metadata are saved. */
  inputFile: string;
  metaFile: string;
  /** Working directory the finding's paths are shown relative to. */
  cwd: string;
  /** The command that replays it: `slo-harness replay <metaFile>` by default (`cli` is how the user invokes the CLI). */
  replay: { cli: string } | { command: string };
  firstSeenAt: string;
  occurrences: number;
}

/** `<cli> replay <metaFile>`, quoted for a POSIX shell. */
export function replayCommand(cli: string, metaFile: string): string {
  return `${cli} replay ${shellQuote(metaFile)}`;
}

/** The finding's `input` block: size, printable and hex previews, saved file. */
export function findingInput(bytes: Uint8Array, encoding: InputEncoding, cwd: string, file: string): Finding['input'] {
  return { encoding, size: bytes.length, preview: previewInput(bytes, encoding), hexPreview: hexPreview(bytes), file: relativeToCwd(cwd, file) };
}

export function buildFinding(source: FindingSource): Finding {
  const metaFile = relativeToCwd(source.cwd, source.metaFile);
  return {
    id: source.id,
    kind: source.kind,
    latencyMs: source.latencyMs,
    budgetMs: source.budgetMs,
    ...(source.injectedMs !== undefined ? { injectedMs: source.injectedMs } : {}),
    message: source.message,
    stack: source.stack,
    input: findingInput(source.input, source.encoding, source.cwd, source.inputFile),
    metaFile,
    replay: 'command' in source.replay ? source.replay.command : replayCommand(source.replay.cli, metaFile),
    firstSeenAt: source.firstSeenAt,
    occurrences: source.occurrences,
  };
}
